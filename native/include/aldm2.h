/*
 * aldm2.h - C ABI of the audioldm4j native shim: runs TorchScript modules (the AudioLDM2 bundle
 * components) through libtorch on plain host buffers. No libtorch type appears in this header;
 * callers need only a C99 compiler and libaldm2.
 *
 * Model
 *   aldm2_runtime  a context; modules are loaded from it. Freeing it does not invalidate modules.
 *   aldm2_module   one TorchScript module in eval mode on one device and compute dtype. A call is:
 *                  add the positional inputs (copied from host buffers), forward, read the output
 *                  count/dtype/shape, copy the outputs into caller-provided buffers.
 *
 * Errors
 *   Every function that can fail returns aldm2_status (ALDM2_STATUS_OK == 0). On failure the
 *   message is available from aldm2_last_error() (the calling thread's last failed call) and, for
 *   calls on a module, from aldm2_module_last_error(m). No C++ exception crosses this boundary.
 *   The only functions that do not return a status are pure queries that cannot fail (versions,
 *   enum names, last-error strings, handle counters).
 *
 * Ownership
 *   The library frees what it allocates: handles are released with their *_free function, which
 *   accepts NULL. Strings returned by the library are owned by it (see each function for their
 *   lifetime). Input data is copied by aldm2_module_add_input, so the caller's buffer may be reused
 *   as soon as it returns. The only native tensors that outlive a call are the inputs added for
 *   the next forward (released by that forward, whether it succeeds or fails) and the outputs of
 *   the last forward (released by the next add_input/forward, aldm2_module_clear or free).
 *
 * Thread safety
 *   A handle must not be used by two threads at the same time: serialise all calls on one
 *   aldm2_module (including aldm2_module_last_error) yourself. Different modules, even loaded from
 *   the same runtime, may be used concurrently from different threads, and the aldm2_runtime
 *   functions (including aldm2_module_load) may be called concurrently. aldm2_last_error() is
 *   thread-local. Handle counters are atomic. Settings in aldm2_runtime_params that map to
 *   libtorch globals (num_threads) are process-wide.
 *
 * Example (error handling shortened)
 *
 *   aldm2_runtime* rt = NULL;
 *   aldm2_module* m = NULL;
 *   aldm2_load_params lp;
 *   aldm2_load_params_init(&lp);               // CPU, F32, no CUDA graph
 *   if (aldm2_runtime_new(NULL, &rt) != ALDM2_STATUS_OK
 *       || aldm2_module_load(rt, "vocoder.pt", &lp, &m) != ALDM2_STATUS_OK) {
 *       fprintf(stderr, "%s\n", aldm2_last_error());
 *       goto done;
 *   }
 *   int64_t in_shape[3] = {1, 64, 250};
 *   aldm2_status s = aldm2_module_add_input(m, ALDM2_DTYPE_F32, in_shape, 3, mel, sizeof(float) * 64 * 250);
 *   if (s == ALDM2_STATUS_OK) s = aldm2_module_forward(m);
 *   int32_t dtype = 0, ndim = 0;
 *   int64_t shape[ALDM2_MAX_DIMS];
 *   if (s == ALDM2_STATUS_OK) s = aldm2_module_output_info(m, 0, &dtype, &ndim, shape, ALDM2_MAX_DIMS);
 *   // ... allocate wav with shape[0] * shape[1] floats ...
 *   if (s == ALDM2_STATUS_OK) s = aldm2_module_output_copy(m, 0, ALDM2_DTYPE_F32, wav, wav_bytes);
 *   if (s != ALDM2_STATUS_OK) fprintf(stderr, "%s: %s\n", aldm2_status_name(s), aldm2_module_last_error(m));
 *   done:
 *   aldm2_module_free(m);                      // both accept NULL
 *   aldm2_runtime_free(rt);
 */
#ifndef ALDM2_H
#define ALDM2_H

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#  if defined(ALDM2_BUILDING)
#    define ALDM2_API __declspec(dllexport)
#  else
#    define ALDM2_API __declspec(dllimport)
#  endif
#elif defined(__GNUC__) || defined(__clang__)
#  define ALDM2_API __attribute__((visibility("default")))
#else
#  define ALDM2_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define ALDM2_VERSION_MAJOR 0
#define ALDM2_VERSION_MINOR 1
#define ALDM2_VERSION_PATCH 0

/** Largest tensor rank accepted for inputs and reported for outputs. */
#define ALDM2_MAX_DIMS 16

/** Result of every fallible call. */
typedef enum aldm2_status {
    ALDM2_STATUS_OK = 0,
    /** A NULL handle or pointer, an enum value out of range, a negative dimension, a buffer size
     *  that does not match the shape, an index out of range. */
    ALDM2_STATUS_INVALID_ARGUMENT = 1,
    /** Not available in this build or on this device: CUDA or CUDA graphs in a build whose libtorch
     *  has no CUDA, F16 compute on the CPU, an output of a type the host side cannot represent. */
    ALDM2_STATUS_UNSUPPORTED = 2,
    /** The module file does not exist or cannot be read. */
    ALDM2_STATUS_NOT_FOUND = 3,
    /** libtorch could not deserialize the module file (not TorchScript, truncated, newer format). */
    ALDM2_STATUS_LOAD_FAILED = 4,
    /** libtorch raised during forward: wrong shapes, dtypes or argument count, a failing op. */
    ALDM2_STATUS_FORWARD_FAILED = 5,
    /** A call out of order, e.g. reading outputs before a successful forward. */
    ALDM2_STATUS_BAD_STATE = 6,
    /** Host or device memory exhausted. */
    ALDM2_STATUS_OUT_OF_MEMORY = 7,
    /** Any other failure (a bug in this library or in libtorch). */
    ALDM2_STATUS_INTERNAL = 8,
    ALDM2_STATUS_COUNT
} aldm2_status;

/** Element types of host buffers (F32, I64, BOOL) and compute dtypes of modules (F32, F16, BF16). */
typedef enum aldm2_dtype {
    ALDM2_DTYPE_F32 = 0,
    ALDM2_DTYPE_F16 = 1,
    ALDM2_DTYPE_BF16 = 2,
    ALDM2_DTYPE_I64 = 3,
    /** One byte per element, 0 or 1. */
    ALDM2_DTYPE_BOOL = 4,
    ALDM2_DTYPE_COUNT
} aldm2_dtype;

typedef enum aldm2_device_type {
    ALDM2_DEVICE_CPU = 0,
    ALDM2_DEVICE_CUDA = 1,
    ALDM2_DEVICE_COUNT
} aldm2_device_type;

/** Opaque context. */
typedef struct aldm2_runtime aldm2_runtime;

/** Opaque loaded module. */
typedef struct aldm2_module aldm2_module;

/** Runtime settings; initialise with aldm2_runtime_params_init, then change fields. */
typedef struct aldm2_runtime_params {
    /** libtorch intra-op CPU threads; 0 (default) keeps libtorch's choice. Process-wide. */
    int32_t num_threads;
} aldm2_runtime_params;

/** Module settings; initialise with aldm2_load_params_init, then change fields. */
typedef struct aldm2_load_params {
    /** An aldm2_device_type; default ALDM2_DEVICE_CPU. */
    int32_t device_type;
    /** CUDA device ordinal; must be 0 for the CPU. Default 0. */
    int32_t device_index;
    /** Compute dtype of floating-point parameters and inputs: ALDM2_DTYPE_F32 (default), F16 (CUDA
     *  only) or BF16. Float outputs are always returned as F32. */
    int32_t dtype;
    /** Non-zero: run forward through a CUDA graph captured on the first call (after warm-up calls)
     *  and replayed afterwards; recaptured when the input shapes or dtypes change. CUDA devices
     *  only; ALDM2_STATUS_UNSUPPORTED in builds without CUDA. Default 0. */
    int32_t cuda_graph;
} aldm2_load_params;

/* ---- queries that cannot fail ---------------------------------------------------------------- */

/** "MAJOR.MINOR.PATCH" of this library. Static string. */
ALDM2_API const char* aldm2_version(void);

/** One line describing the build: version, libtorch version, CUDA support and target
 *  architectures, JNI glue. Static string. */
ALDM2_API const char* aldm2_build_info(void);

/** Non-zero if this build can run on CUDA devices (its libtorch has CUDA). */
ALDM2_API int32_t aldm2_has_cuda(void);

/** Name of a status without prefix, e.g. "FORWARD_FAILED"; "UNKNOWN" if out of range. Static. */
ALDM2_API const char* aldm2_status_name(int32_t status);

/** Name of a dtype, e.g. "F32"; "UNKNOWN" if out of range. Static string. */
ALDM2_API const char* aldm2_dtype_name(int32_t dtype);

/** Message of the calling thread's most recent failed call, "" if its most recent call succeeded.
 *  Valid until the thread's next call into this library. Never NULL. */
ALDM2_API const char* aldm2_last_error(void);

/** Message of the most recent failed call on m, "" if the most recent call on m succeeded or m is
 *  NULL. Valid until the next call on m. Never NULL. */
ALDM2_API const char* aldm2_module_last_error(const aldm2_module* m);

/** Live objects allocated by this library in the process: runtimes, modules and tensors held by
 *  modules between calls (added inputs, outputs of the last forward). For leak tests. */
ALDM2_API int64_t aldm2_live_handles(void);

/* ---- runtime ---------------------------------------------------------------------------------- */

/** Fills params with the defaults. */
ALDM2_API aldm2_status aldm2_runtime_params_init(aldm2_runtime_params* params);

/** Creates a runtime. params may be NULL for the defaults. On failure *out is set to NULL. */
ALDM2_API aldm2_status aldm2_runtime_new(const aldm2_runtime_params* params, aldm2_runtime** out);

/** Releases rt; NULL is a no-op. Modules loaded from rt stay valid until freed. */
ALDM2_API aldm2_status aldm2_runtime_free(aldm2_runtime* rt);

/** Number of usable devices of a type: 1 for the CPU; CUDA devices visible to libtorch (0 in
 *  builds without CUDA). */
ALDM2_API aldm2_status aldm2_runtime_device_count(const aldm2_runtime* rt, int32_t device_type, int32_t* count);

/** Live objects belonging to rt: its modules still open plus the tensors they hold between calls
 *  (rt itself is not counted). */
ALDM2_API aldm2_status aldm2_runtime_live_handles(const aldm2_runtime* rt, int64_t* count);

/* ---- modules ---------------------------------------------------------------------------------- */

/** Fills params with the defaults: CPU, device 0, F32, no CUDA graph. */
ALDM2_API aldm2_status aldm2_load_params_init(aldm2_load_params* params);

/** Loads a TorchScript file in eval mode onto the device, casting floating-point parameters to the
 *  compute dtype. params may be NULL for the defaults. On failure *out is set to NULL. */
ALDM2_API aldm2_status aldm2_module_load(aldm2_runtime* rt, const char* path, const aldm2_load_params* params,
                                         aldm2_module** out);

/** Releases m and everything it holds; NULL is a no-op. */
ALDM2_API aldm2_status aldm2_module_free(aldm2_module* m);

/** Appends the next positional argument of forward. dtype is F32, I64 or BOOL; shape has ndim
 *  entries (0 <= ndim <= ALDM2_MAX_DIMS, each >= 0; shape may be NULL when ndim is 0); nbytes must
 *  equal the element count times the element size (data may be NULL when it is 0). The data is
 *  copied, F32 of rank >= 2 converted to the module's compute dtype (rank 0/1 F32, e.g. timesteps, stay F32), and moved to its device. Releases the
 *  outputs of the previous forward. */
ALDM2_API aldm2_status aldm2_module_add_input(aldm2_module* m, int32_t dtype, const int64_t* shape, int32_t ndim,
                                              const void* data, size_t nbytes);

/** Runs forward(*inputs) under inference mode and consumes the added inputs (also on failure). The
 *  result must be a tensor or a (nested) tuple/list of tensors; it is flattened depth-first into
 *  host outputs: floating types as F32, integer types as I64, bool as BOOL. */
ALDM2_API aldm2_status aldm2_module_forward(aldm2_module* m);

/** Number of outputs of the last successful forward. */
ALDM2_API aldm2_status aldm2_module_output_count(const aldm2_module* m, int32_t* count);

/** dtype, rank and shape of output index. shape must have room for shape_capacity entries; if the
 *  rank exceeds it, *ndim is still set and ALDM2_STATUS_INVALID_ARGUMENT is returned. Any of dtype,
 *  ndim and shape may be NULL (shape only with shape_capacity 0) to skip it. */
ALDM2_API aldm2_status aldm2_module_output_info(const aldm2_module* m, int32_t index, int32_t* dtype, int32_t* ndim,
                                                int64_t* shape, int32_t shape_capacity);

/** Copies output index into dst. dtype must be the output's dtype and dst_bytes at least its
 *  element count times the element size. */
ALDM2_API aldm2_status aldm2_module_output_copy(const aldm2_module* m, int32_t index, int32_t dtype, void* dst,
                                                size_t dst_bytes);

/** Releases added inputs and held outputs now (they are otherwise kept until the next call). */
ALDM2_API aldm2_status aldm2_module_clear(aldm2_module* m);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* ALDM2_H */
