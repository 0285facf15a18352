package io.github.audioldm4j.runtime.shim;

import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.annotation.ByPtrPtr;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.CriticalRegion;
import org.bytedeco.javacpp.annotation.Name;
import org.bytedeco.javacpp.annotation.Opaque;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * JavaCPP binding of {@code native/include/aldm2.h}. Package-private: {@link ShimRuntime} and
 * {@link ShimModule} are the public face.
 *
 * <p>Written by hand (the header has 22 functions); JavaCPP's generator turns it into the JNI glue
 * ({@code jnialdm2.cpp}) that the CMake build compiles into {@code libaldm2} next to the C ABI.
 * That glue includes {@code aldm2.h}, so a signature here that drifts from the header is a
 * compile error of the native build rather than a crash. Java names are camelCase; {@link Name}
 * gives the C name. Integer enums cross as {@code int}; their values are the constants below and
 * ShimRuntimeNativeTest checks them against the library's name functions.
 *
 * <p>The library is loaded by {@link ShimLibrary}, not by JavaCPP's {@code Loader}: nothing here
 * may run before {@link ShimLibrary#load()} succeeded.
 */
@Platform(include = "aldm2.h", library = "aldm2")
final class Aldm2 {
    private Aldm2() {}

    // aldm2_status
    static final int STATUS_OK = 0;
    static final int STATUS_INVALID_ARGUMENT = 1;
    static final int STATUS_UNSUPPORTED = 2;
    static final int STATUS_NOT_FOUND = 3;
    static final int STATUS_LOAD_FAILED = 4;
    static final int STATUS_FORWARD_FAILED = 5;
    static final int STATUS_BAD_STATE = 6;
    static final int STATUS_OUT_OF_MEMORY = 7;
    static final int STATUS_INTERNAL = 8;
    static final int STATUS_COUNT = 9;

    // aldm2_dtype
    static final int DTYPE_F32 = 0;
    static final int DTYPE_F16 = 1;
    static final int DTYPE_BF16 = 2;
    static final int DTYPE_I64 = 3;
    static final int DTYPE_BOOL = 4;
    static final int DTYPE_COUNT = 5;

    // aldm2_device_type
    static final int DEVICE_CPU = 0;
    static final int DEVICE_CUDA = 1;

    /** ALDM2_MAX_DIMS. */
    static final int MAX_DIMS = 16;

    /** Peer of {@code aldm2_runtime*}. */
    @Opaque
    @Name("aldm2_runtime")
    static final class RuntimeHandle extends Pointer {
        RuntimeHandle() {
            super((Pointer) null);
        }

        RuntimeHandle(Pointer p) {
            super(p);
        }
    }

    /** Peer of {@code aldm2_module*}. */
    @Opaque
    @Name("aldm2_module")
    static final class ModuleHandle extends Pointer {
        ModuleHandle() {
            super((Pointer) null);
        }

        ModuleHandle(Pointer p) {
            super(p);
        }
    }

    /** {@code aldm2_runtime_params}, allocated natively; release with {@link #close()}. */
    @Name("aldm2_runtime_params")
    static final class RuntimeParams extends Pointer {
        RuntimeParams() {
            super((Pointer) null);
            allocate();
        }

        private native void allocate();

        @Name("num_threads") native int numThreads();

        @Name("num_threads") native RuntimeParams numThreads(int value);
    }

    /** {@code aldm2_load_params}, allocated natively; release with {@link #close()}. */
    @Name("aldm2_load_params")
    static final class LoadParams extends Pointer {
        LoadParams() {
            super((Pointer) null);
            allocate();
        }

        private native void allocate();

        @Name("device_type") native int deviceType();

        @Name("device_type") native LoadParams deviceType(int value);

        @Name("device_index") native int deviceIndex();

        @Name("device_index") native LoadParams deviceIndex(int value);

        @Name("dtype") native int dtype();

        @Name("dtype") native LoadParams dtype(int value);

        @Name("cuda_graph") native int cudaGraph();

        @Name("cuda_graph") native LoadParams cudaGraph(int value);
    }

    // ---- queries that cannot fail

    @Name("aldm2_version") static native String version();

    @Name("aldm2_build_info") static native String buildInfo();

    @Name("aldm2_has_cuda") static native int hasCuda();

    @Name("aldm2_status_name") static native String statusName(int status);

    @Name("aldm2_dtype_name") static native String dtypeName(int dtype);

    @Name("aldm2_last_error") static native String lastError();

    @Name("aldm2_module_last_error") static native String moduleLastError(@Cast("const aldm2_module*") ModuleHandle m);

    @Name("aldm2_live_handles") static native long liveHandles();

    // ---- runtime

    @Name("aldm2_runtime_params_init") static native int runtimeParamsInit(RuntimeParams params);

    @Name("aldm2_runtime_new") static native int runtimeNew(@Cast("const aldm2_runtime_params*") RuntimeParams params,
            @ByPtrPtr RuntimeHandle out);

    @Name("aldm2_runtime_free") static native int runtimeFree(RuntimeHandle rt);

    @Name("aldm2_runtime_device_count") static native int runtimeDeviceCount(
            @Cast("const aldm2_runtime*") RuntimeHandle rt, int deviceType, @Cast("int32_t*") int[] count);

    @Name("aldm2_runtime_live_handles") static native int runtimeLiveHandles(
            @Cast("const aldm2_runtime*") RuntimeHandle rt, @Cast("int64_t*") long[] count);

    // ---- modules

    @Name("aldm2_load_params_init") static native int loadParamsInit(LoadParams params);

    @Name("aldm2_module_load") static native int moduleLoad(RuntimeHandle rt, String path,
            @Cast("const aldm2_load_params*") LoadParams params, @ByPtrPtr ModuleHandle out);

    @Name("aldm2_module_free") static native int moduleFree(ModuleHandle m);

    @CriticalRegion
    @Name("aldm2_module_add_input") static native int moduleAddInput(ModuleHandle m, int dtype,
            @Cast("const int64_t*") long[] shape, int ndim, @Cast("const void*") float[] data, @Cast("size_t") long nbytes);

    @CriticalRegion
    @Name("aldm2_module_add_input") static native int moduleAddInput(ModuleHandle m, int dtype,
            @Cast("const int64_t*") long[] shape, int ndim, @Cast("const void*") long[] data, @Cast("size_t") long nbytes);

    /** JNI booleans are one byte, 0 or 1: exactly ALDM2_DTYPE_BOOL's host layout. */
    @CriticalRegion
    @Name("aldm2_module_add_input") static native int moduleAddInput(ModuleHandle m, int dtype,
            @Cast("const int64_t*") long[] shape, int ndim, @Cast("const void*") boolean[] data, @Cast("size_t") long nbytes);

    @Name("aldm2_module_forward") static native int moduleForward(ModuleHandle m);

    @Name("aldm2_module_output_count") static native int moduleOutputCount(@Cast("const aldm2_module*") ModuleHandle m,
            @Cast("int32_t*") int[] count);

    @Name("aldm2_module_output_info") static native int moduleOutputInfo(@Cast("const aldm2_module*") ModuleHandle m,
            int index, @Cast("int32_t*") int[] dtype, @Cast("int32_t*") int[] ndim, @Cast("int64_t*") long[] shape,
            int shapeCapacity);

    @CriticalRegion
    @Name("aldm2_module_output_copy") static native int moduleOutputCopy(@Cast("const aldm2_module*") ModuleHandle m,
            int index, int dtype, @Cast("void*") float[] dst, @Cast("size_t") long dstBytes);

    @CriticalRegion
    @Name("aldm2_module_output_copy") static native int moduleOutputCopy(@Cast("const aldm2_module*") ModuleHandle m,
            int index, int dtype, @Cast("void*") long[] dst, @Cast("size_t") long dstBytes);

    @CriticalRegion
    @Name("aldm2_module_output_copy") static native int moduleOutputCopy(@Cast("const aldm2_module*") ModuleHandle m,
            int index, int dtype, @Cast("void*") boolean[] dst, @Cast("size_t") long dstBytes);

    @Name("aldm2_module_clear") static native int moduleClear(ModuleHandle m);
}
