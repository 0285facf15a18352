// Implementation of the aldm2 C ABI (include/aldm2.h) over libtorch's C++ API.
//
// One translation unit on purpose: libtorch's headers dominate the build time. The CUDA graph
// runner is compiled only when the CMake build found a libtorch with CUDA (ALDM2_WITH_CUDA=1).
//
// Every exported function runs its body through guarded(): internal failures throw Failure with a
// status, libtorch throws c10::Error, anything else is a std::exception; all of them become a
// status code plus a message stored thread-locally and, for module calls, on the module.

#include "aldm2.h"

#include <ATen/Parallel.h>
#include <torch/cuda.h>
#include <torch/script.h>
#include <torch/version.h>

#if ALDM2_WITH_CUDA
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#endif

#if defined(__unix__) || defined(__APPLE__)
#include <dlfcn.h>
#endif

#include <atomic>
#include <cstring>
#include <filesystem>
#include <memory>
#include <new>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#ifndef ALDM2_WITH_CUDA
#define ALDM2_WITH_CUDA 0
#endif
#ifndef ALDM2_WITH_JNI
#define ALDM2_WITH_JNI 0
#endif
#ifndef ALDM2_CUDA_ARCHS
#define ALDM2_CUDA_ARCHS "none"
#endif

#define ALDM2_STR2(x) #x
#define ALDM2_STR(x) ALDM2_STR2(x)

namespace {

// ---- counters and errors --------------------------------------------------------------------------

std::atomic<int64_t> g_live{0};
thread_local std::string t_last_error;

/** Shared by a runtime and the modules loaded from it, so modules may outlive the runtime handle. */
struct RuntimeState {
    std::atomic<int64_t> live{0};  // modules + tensors they hold
};

void track(RuntimeState* rt, int64_t delta) {
    g_live.fetch_add(delta, std::memory_order_relaxed);
    if (rt != nullptr) {
        rt->live.fetch_add(delta, std::memory_order_relaxed);
    }
}

/** A failure detected by this library, with the status to report. */
class Failure : public std::runtime_error {
public:
    Failure(aldm2_status status, const std::string& message) : std::runtime_error(message), status_(status) {}
    aldm2_status status() const { return status_; }

private:
    aldm2_status status_;
};

template <typename... Parts>
std::string cat(const Parts&... parts) {
    std::ostringstream out;
    (out << ... << parts);
    return out.str();
}

std::string shape_string(const int64_t* shape, int64_t ndim) {
    std::ostringstream out;
    out << '[';
    for (int64_t i = 0; i < ndim; ++i) {
        out << (i ? ", " : "") << shape[i];
    }
    out << ']';
    return out.str();
}

std::string shape_string(at::IntArrayRef sizes) {
    return shape_string(sizes.data(), static_cast<int64_t>(sizes.size()));
}

/** libtorch reports device out-of-memory inside TorchScript as a plain runtime_error. */
bool mentions_out_of_memory(const std::string& message) {
    return message.find("out of memory") != std::string::npos;
}

/**
 * Runs body and converts every exception into a status plus a message. library_error is the status
 * for an error raised by libtorch (c10::Error, or the std::runtime_error the TorchScript interpreter
 * turns it into) that is not out-of-memory: LOAD_FAILED in load, FORWARD_FAILED in forward,
 * INTERNAL elsewhere. handle_error, if not null, also receives the message.
 */
template <typename Body>
aldm2_status guarded(std::string* handle_error, aldm2_status library_error, Body&& body) noexcept {
    t_last_error.clear();
    if (handle_error != nullptr) {
        handle_error->clear();
    }
    aldm2_status status = ALDM2_STATUS_INTERNAL;
    try {
        std::string message;
        try {
            body();
            return ALDM2_STATUS_OK;
        } catch (const Failure& e) {
            status = e.status();
            message = e.what();
        } catch (const c10::OutOfMemoryError& e) {
            status = ALDM2_STATUS_OUT_OF_MEMORY;
            message = e.what_without_backtrace();
        } catch (const c10::Error& e) {
            message = e.what_without_backtrace();
            status = mentions_out_of_memory(message) ? ALDM2_STATUS_OUT_OF_MEMORY : library_error;
        } catch (const std::bad_alloc&) {
            status = ALDM2_STATUS_OUT_OF_MEMORY;
            message = "out of host memory";
        } catch (const std::exception& e) {
            message = e.what();
            status = mentions_out_of_memory(message) ? ALDM2_STATUS_OUT_OF_MEMORY : library_error;
        } catch (...) {
            status = ALDM2_STATUS_INTERNAL;
            message = "unknown C++ exception";
        }
        t_last_error = message;
        if (handle_error != nullptr) {
            *handle_error = message;
        }
    } catch (...) {
        // copying the message failed (out of memory): the status still goes back
        if (status == ALDM2_STATUS_INTERNAL) {
            status = ALDM2_STATUS_OUT_OF_MEMORY;
        }
    }
    return status;
}

template <typename T>
T* require(T* pointer, const char* name) {
    if (pointer == nullptr) {
        throw Failure(ALDM2_STATUS_INVALID_ARGUMENT, cat(name, " must not be NULL"));
    }
    return pointer;
}

// ---- dtypes ---------------------------------------------------------------------------------------

const char* const kStatusNames[] = {"OK", "INVALID_ARGUMENT", "UNSUPPORTED", "NOT_FOUND", "LOAD_FAILED",
                                    "FORWARD_FAILED", "BAD_STATE", "OUT_OF_MEMORY", "INTERNAL"};
static_assert(sizeof(kStatusNames) / sizeof(kStatusNames[0]) == ALDM2_STATUS_COUNT, "status names");

const char* const kDtypeNames[] = {"F32", "F16", "BF16", "I64", "BOOL"};
static_assert(sizeof(kDtypeNames) / sizeof(kDtypeNames[0]) == ALDM2_DTYPE_COUNT, "dtype names");

const char* dtype_name(int32_t dtype) {
    return dtype >= 0 && dtype < ALDM2_DTYPE_COUNT ? kDtypeNames[dtype] : "UNKNOWN";
}

bool is_host_dtype(int32_t dtype) {
    return dtype == ALDM2_DTYPE_F32 || dtype == ALDM2_DTYPE_I64 || dtype == ALDM2_DTYPE_BOOL;
}

at::ScalarType scalar_type(int32_t dtype) {
    switch (dtype) {
        case ALDM2_DTYPE_F32: return at::kFloat;
        case ALDM2_DTYPE_F16: return at::kHalf;
        case ALDM2_DTYPE_BF16: return at::kBFloat16;
        case ALDM2_DTYPE_I64: return at::kLong;
        case ALDM2_DTYPE_BOOL: return at::kBool;
        default: throw Failure(ALDM2_STATUS_INVALID_ARGUMENT, cat("unknown dtype ", dtype));
    }
}

int32_t host_dtype(at::ScalarType t) {
    switch (t) {
        case at::kFloat: return ALDM2_DTYPE_F32;
        case at::kLong: return ALDM2_DTYPE_I64;
        case at::kBool: return ALDM2_DTYPE_BOOL;
        default: throw Failure(ALDM2_STATUS_INTERNAL, cat("not a host dtype: ", c10::toString(t)));
    }
}

size_t element_size(int32_t host) {
    return host == ALDM2_DTYPE_F32 ? 4 : host == ALDM2_DTYPE_I64 ? 8 : 1;
}

/** Converts a module output to a host tensor: CPU, contiguous, F32/I64/BOOL. */
at::Tensor to_host(const at::Tensor& t) {
    at::ScalarType st = t.scalar_type();
    at::ScalarType target;
    if (at::isFloatingType(st)) {
        target = at::kFloat;
    } else if (st == at::kBool) {
        target = at::kBool;
    } else if (at::isIntegralType(st, /*includeBool=*/false)) {
        target = at::kLong;
    } else {
        throw Failure(ALDM2_STATUS_UNSUPPORTED,
                      cat("output dtype ", c10::toString(st), " cannot be returned to the host (expected a floating, "
                          "integer or bool tensor)"));
    }
    return t.to(at::kCPU, target).contiguous();
}

void flatten(const c10::IValue& v, std::vector<at::Tensor>& out) {
    if (v.isTensor()) {
        out.push_back(to_host(v.toTensor()));
    } else if (v.isTuple()) {
        for (const c10::IValue& e : v.toTupleRef().elements()) {
            flatten(e, out);
        }
    } else if (v.isTensorList()) {
        for (const at::Tensor& t : v.toTensorVector()) {
            out.push_back(to_host(t));
        }
    } else if (v.isList()) {
        for (const c10::IValue& e : v.toListRef()) {
            flatten(e, out);
        }
    } else {
        throw Failure(ALDM2_STATUS_UNSUPPORTED, cat("forward returned a value of kind ", v.tagKind(),
                                                    "; expected a tensor or a tuple/list of tensors"));
    }
}

const std::string& build_info() {
    static const std::string info = cat(
        "aldm2 ", ALDM2_VERSION_MAJOR, '.', ALDM2_VERSION_MINOR, '.', ALDM2_VERSION_PATCH, " (libtorch ", TORCH_VERSION,
        ", CUDA ", ALDM2_WITH_CUDA ? cat("on, archs ", ALDM2_CUDA_ARCHS) : std::string("off"),
        ", JNI glue ", ALDM2_WITH_JNI ? "on" : "off", ")");
    return info;
}

// ---- threads ----------------------------------------------------------------------------------

/** The num_threads of the last runtime created with one (0: libtorch's default), process-wide. */
std::atomic<int32_t> g_num_threads{0};

/**
 * OpenBLAS keeps its own thread pool, which at::set_num_threads does not reach, and its GEMM/GEMV
 * results depend on the pool size: set it on every OpenBLAS this process has loaded (libtorch's
 * dependency; found by soname without loading anything new). No-op where there is none. The runtime
 * sets one thread, always: an OpenBLAS pool next to libtorch's OpenMP pool on the same cores makes
 * both spin against each other (the Java presets runtime measured a 6x slower UNet step, 2 + 2 threads
 * on 2 cores; see BlasThreads.java).
 */
void set_openblas_threads(int32_t n) {
#if defined(__unix__) || defined(__APPLE__)
    using SetThreads = void (*)(int);
    static const char* const kNames[] = {"libopenblas.so.0", "libopenblas.so", "libopenblasp.so.0",
                                         "libopenblaso.so.0", "libopenblas64_.so.0"};
    for (const char* name : kNames) {
#ifdef RTLD_NOLOAD
        void* handle = dlopen(name, RTLD_LAZY | RTLD_NOLOAD);
#else
        void* handle = nullptr;
#endif
        if (handle == nullptr) {
            continue;
        }
        if (auto f = reinterpret_cast<SetThreads>(dlsym(handle, "openblas_set_num_threads"))) {
            f(n);
        }
        dlclose(handle);
    }
#else
    (void)n;
#endif
}

/** OpenMP keeps the thread count per thread: apply the runtime's setting once in each calling thread. */
void apply_threads_to_this_thread() {
    thread_local int32_t applied = 0;
    int32_t n = g_num_threads.load();
    if (n > 0 && applied != n) {
        at::set_num_threads(n);
        applied = n;
    }
}

// ---- CUDA graphs ----------------------------------------------------------------------------------

#if ALDM2_WITH_CUDA
/**
 * Runs a module through a CUDA graph. The first call (and any call whose input dtypes or shapes
 * differ from the captured ones) copies the inputs into static tensors, runs kWarmup eager calls on
 * a side stream (lets the TorchScript profiling executor specialise and fuse, and cuDNN/cuBLAS
 * initialise), then captures one call. Every call copies its inputs into the static tensors and
 * replays; the outputs are the captured output tensors, overwritten by each replay.
 */
class CudaGraphRunner {
public:
    static constexpr int kWarmup = 3;

    c10::IValue run(torch::jit::Module& module, const std::vector<at::Tensor>& inputs, c10::Device device) {
        if (!graph_ || !matches(inputs)) {
            capture(module, inputs, device);
        }
        for (size_t i = 0; i < inputs.size(); ++i) {
            static_inputs_[i].copy_(inputs[i]);
        }
        graph_->replay();
        return static_output_;
    }

private:
    bool matches(const std::vector<at::Tensor>& inputs) const {
        if (inputs.size() != static_inputs_.size()) {
            return false;
        }
        for (size_t i = 0; i < inputs.size(); ++i) {
            if (inputs[i].scalar_type() != static_inputs_[i].scalar_type() ||
                inputs[i].sizes() != static_inputs_[i].sizes()) {
                return false;
            }
        }
        return true;
    }

    void capture(torch::jit::Module& module, const std::vector<at::Tensor>& inputs, c10::Device device) {
        graph_.reset();
        static_output_ = c10::IValue();
        static_inputs_.clear();
        for (const at::Tensor& t : inputs) {
            static_inputs_.push_back(t.clone());
        }
        std::vector<c10::IValue> args(static_inputs_.begin(), static_inputs_.end());
        c10::cuda::CUDAGuard device_guard(device);
        c10::cuda::getCurrentCUDAStream(device.index()).synchronize();
        c10::cuda::CUDAStream side = c10::cuda::getStreamFromPool(/*isHighPriority=*/false, device.index());
        {
            c10::cuda::CUDAStreamGuard stream_guard(side);
            for (int i = 0; i < kWarmup; ++i) {
                module.forward(args);
            }
            side.synchronize();
            auto graph = std::make_unique<at::cuda::CUDAGraph>();
            graph->capture_begin();
            try {
                static_output_ = module.forward(args);
            } catch (...) {
                try {
                    graph->capture_end();
                } catch (...) {
                    // the capture is already invalid; report the original error
                }
                static_output_ = c10::IValue();
                throw;
            }
            graph->capture_end();
            side.synchronize();
            graph_ = std::move(graph);
        }
    }

    std::unique_ptr<at::cuda::CUDAGraph> graph_;
    std::vector<at::Tensor> static_inputs_;
    c10::IValue static_output_;
};
#endif

}  // namespace

// ---- handles ----------------------------------------------------------------------------------------

struct aldm2_runtime {
    std::shared_ptr<RuntimeState> state = std::make_shared<RuntimeState>();

    aldm2_runtime() { track(nullptr, 1); }
    ~aldm2_runtime() { track(nullptr, -1); }
    aldm2_runtime(const aldm2_runtime&) = delete;
    aldm2_runtime& operator=(const aldm2_runtime&) = delete;
};

struct aldm2_module {
    std::shared_ptr<RuntimeState> runtime;
    torch::jit::Module module;
    c10::Device device;
    at::ScalarType compute;
    std::string path;
    std::vector<at::Tensor> inputs;   // added for the next forward, on the device in the compute dtype
    std::vector<at::Tensor> outputs;  // of the last forward, on the host
    int64_t counted_tensors = 0;      // inputs + outputs as last reported to the counters
    mutable std::string last_error;
#if ALDM2_WITH_CUDA
    std::unique_ptr<CudaGraphRunner> graph;
#endif

    aldm2_module(std::shared_ptr<RuntimeState> rt, torch::jit::Module m, c10::Device dev, at::ScalarType dtype,
                 std::string file)
        : runtime(std::move(rt)), module(std::move(m)), device(dev), compute(dtype), path(std::move(file)) {
        track(runtime.get(), 1);
    }

    ~aldm2_module() {
        inputs.clear();
        outputs.clear();
        sync_counters();
        track(runtime.get(), -1);
    }

    aldm2_module(const aldm2_module&) = delete;
    aldm2_module& operator=(const aldm2_module&) = delete;

    /** Reports changes in the number of held tensors to the counters. */
    void sync_counters() {
        int64_t now = static_cast<int64_t>(inputs.size() + outputs.size());
        track(runtime.get(), now - counted_tensors);
        counted_tensors = now;
    }

    void release_outputs() {
        outputs.clear();
        sync_counters();
    }
};

namespace {

const at::Tensor& output_at(const aldm2_module* m, int32_t index) {
    if (m->outputs.empty()) {
        throw Failure(ALDM2_STATUS_BAD_STATE,
                      "no outputs: run aldm2_module_forward first (outputs are released by add_input, clear and "
                      "a failed forward)");
    }
    if (index < 0 || static_cast<size_t>(index) >= m->outputs.size()) {
        throw Failure(ALDM2_STATUS_INVALID_ARGUMENT,
                      cat("index must be in [0, ", m->outputs.size(), "), got ", index));
    }
    return m->outputs[static_cast<size_t>(index)];
}

}  // namespace

// ---- queries ----------------------------------------------------------------------------------------

extern "C" {

const char* aldm2_version(void) {
    return ALDM2_STR(ALDM2_VERSION_MAJOR) "." ALDM2_STR(ALDM2_VERSION_MINOR) "." ALDM2_STR(ALDM2_VERSION_PATCH);
}

const char* aldm2_build_info(void) {
    return build_info().c_str();
}

int32_t aldm2_has_cuda(void) {
    return ALDM2_WITH_CUDA ? 1 : 0;
}

const char* aldm2_status_name(int32_t status) {
    return status >= 0 && status < ALDM2_STATUS_COUNT ? kStatusNames[status] : "UNKNOWN";
}

const char* aldm2_dtype_name(int32_t dtype) {
    return dtype_name(dtype);
}

const char* aldm2_last_error(void) {
    return t_last_error.c_str();
}

const char* aldm2_module_last_error(const aldm2_module* m) {
    return m == nullptr ? "" : m->last_error.c_str();
}

int64_t aldm2_live_handles(void) {
    return g_live.load(std::memory_order_relaxed);
}

// ---- runtime ----------------------------------------------------------------------------------------

aldm2_status aldm2_runtime_params_init(aldm2_runtime_params* params) {
    return guarded(nullptr, ALDM2_STATUS_INTERNAL, [&] {
        require(params, "params");
        params->num_threads = 0;
    });
}

aldm2_status aldm2_runtime_new(const aldm2_runtime_params* params, aldm2_runtime** out) {
    if (out != nullptr) {
        *out = nullptr;
    }
    return guarded(nullptr, ALDM2_STATUS_INTERNAL, [&] {
        require(out, "out");
        aldm2_runtime_params p;
        aldm2_runtime_params_init(&p);
        if (params != nullptr) {
            p = *params;
        }
        if (p.num_threads < 0) {
            throw Failure(ALDM2_STATUS_INVALID_ARGUMENT,
                          cat("params->num_threads must be >= 0 (0 = libtorch default), got ", p.num_threads));
        }
        if (p.num_threads > 0) {
            at::set_num_threads(p.num_threads);
            g_num_threads.store(p.num_threads);
        }
        set_openblas_threads(1);
        *out = new aldm2_runtime();
    });
}

aldm2_status aldm2_runtime_free(aldm2_runtime* rt) {
    return guarded(nullptr, ALDM2_STATUS_INTERNAL, [&] { delete rt; });
}

aldm2_status aldm2_runtime_device_count(const aldm2_runtime* rt, int32_t device_type, int32_t* count) {
    return guarded(nullptr, ALDM2_STATUS_INTERNAL, [&] {
        require(rt, "rt");
        require(count, "count");
        if (device_type == ALDM2_DEVICE_CPU) {
            *count = 1;
        } else if (device_type == ALDM2_DEVICE_CUDA) {
            *count = ALDM2_WITH_CUDA ? static_cast<int32_t>(torch::cuda::device_count()) : 0;
        } else {
            throw Failure(ALDM2_STATUS_INVALID_ARGUMENT,
                          cat("device_type must be ALDM2_DEVICE_CPU (0) or ALDM2_DEVICE_CUDA (1), got ", device_type));
        }
    });
}

aldm2_status aldm2_runtime_live_handles(const aldm2_runtime* rt, int64_t* count) {
    return guarded(nullptr, ALDM2_STATUS_INTERNAL, [&] {
        require(rt, "rt");
        require(count, "count");
        *count = rt->state->live.load(std::memory_order_relaxed);
    });
}

// ---- modules ----------------------------------------------------------------------------------------

aldm2_status aldm2_load_params_init(aldm2_load_params* params) {
    return guarded(nullptr, ALDM2_STATUS_INTERNAL, [&] {
        require(params, "params");
        params->device_type = ALDM2_DEVICE_CPU;
        params->device_index = 0;
        params->dtype = ALDM2_DTYPE_F32;
        params->cuda_graph = 0;
    });
}

aldm2_status aldm2_module_load(aldm2_runtime* rt, const char* path, const aldm2_load_params* params,
                               aldm2_module** out) {
    if (out != nullptr) {
        *out = nullptr;
    }
    return guarded(nullptr, ALDM2_STATUS_LOAD_FAILED, [&] {
        require(rt, "rt");
        require(path, "path");
        require(out, "out");
        aldm2_load_params p;
        aldm2_load_params_init(&p);
        if (params != nullptr) {
            p = *params;
        }
        if (p.device_type != ALDM2_DEVICE_CPU && p.device_type != ALDM2_DEVICE_CUDA) {
            throw Failure(ALDM2_STATUS_INVALID_ARGUMENT,
                          cat("params->device_type must be ALDM2_DEVICE_CPU (0) or ALDM2_DEVICE_CUDA (1), got ",
                              p.device_type));
        }
        if (p.dtype != ALDM2_DTYPE_F32 && p.dtype != ALDM2_DTYPE_F16 && p.dtype != ALDM2_DTYPE_BF16) {
            throw Failure(ALDM2_STATUS_INVALID_ARGUMENT,
                          cat("params->dtype must be F32 (0), F16 (1) or BF16 (2), got ", p.dtype, " (",
                              dtype_name(p.dtype), ")"));
        }
        if (p.device_index < 0) {
            throw Failure(ALDM2_STATUS_INVALID_ARGUMENT,
                          cat("params->device_index must be >= 0, got ", p.device_index));
        }
#if !ALDM2_WITH_CUDA
        if (p.cuda_graph != 0) {
            throw Failure(ALDM2_STATUS_UNSUPPORTED,
                          "params->cuda_graph is unsupported: this aldm2 build has no CUDA (it was built against a "
                          "libtorch without CUDA; see native/README.md to build for a GPU)");
        }
        if (p.device_type == ALDM2_DEVICE_CUDA) {
            throw Failure(ALDM2_STATUS_UNSUPPORTED,
                          "params->device_type CUDA is unsupported: this aldm2 build has no CUDA (it was built against "
                          "a libtorch without CUDA; see native/README.md to build for a GPU)");
        }
#endif
        if (p.device_type == ALDM2_DEVICE_CPU) {
            if (p.device_index != 0) {
                throw Failure(ALDM2_STATUS_INVALID_ARGUMENT,
                              cat("params->device_index must be 0 for the CPU, got ", p.device_index));
            }
            if (p.cuda_graph != 0) {
                throw Failure(ALDM2_STATUS_INVALID_ARGUMENT,
                              "params->cuda_graph requires device_type ALDM2_DEVICE_CUDA, got ALDM2_DEVICE_CPU");
            }
            if (p.dtype == ALDM2_DTYPE_F16) {
                throw Failure(ALDM2_STATUS_UNSUPPORTED,
                              "params->dtype F16 is unsupported on the CPU device (use F32 or BF16)");
            }
        } else {
            int64_t n = static_cast<int64_t>(torch::cuda::device_count());
            if (p.device_index >= n) {
                throw Failure(n == 0 ? ALDM2_STATUS_UNSUPPORTED : ALDM2_STATUS_INVALID_ARGUMENT,
                              cat("params->device_index must be < the number of visible CUDA devices (", n, "), got ",
                                  p.device_index));
            }
        }

        std::error_code ec;
        std::filesystem::file_status fs = std::filesystem::status(path, ec);
        if (ec || !std::filesystem::exists(fs)) {
            throw Failure(ALDM2_STATUS_NOT_FOUND, cat("cannot open module file '", path, "': not found"));
        }
        if (!std::filesystem::is_regular_file(fs)) {
            throw Failure(ALDM2_STATUS_NOT_FOUND, cat("cannot open module file '", path, "': not a regular file"));
        }

        c10::Device device = p.device_type == ALDM2_DEVICE_CUDA
                                 ? c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(p.device_index))
                                 : c10::Device(c10::kCPU);
        at::ScalarType compute = scalar_type(p.dtype);
        c10::InferenceMode inference;
        torch::jit::Module module;
        try {
            module = torch::jit::load(path, device);
        } catch (const c10::Error& e) {
            throw Failure(ALDM2_STATUS_LOAD_FAILED,
                          cat("cannot load TorchScript module '", path, "': ", e.what_without_backtrace()));
        } catch (const std::exception& e) {
            throw Failure(ALDM2_STATUS_LOAD_FAILED, cat("cannot load TorchScript module '", path, "': ", e.what()));
        }
        module.eval();
        if (compute != at::kFloat) {
            module.to(compute);
        }
        auto m = std::make_unique<aldm2_module>(rt->state, std::move(module), device, compute, path);
#if ALDM2_WITH_CUDA
        if (p.cuda_graph != 0) {
            m->graph = std::make_unique<CudaGraphRunner>();
        }
#endif
        *out = m.release();
    });
}

aldm2_status aldm2_module_free(aldm2_module* m) {
    return guarded(nullptr, ALDM2_STATUS_INTERNAL, [&] { delete m; });
}

aldm2_status aldm2_module_add_input(aldm2_module* m, int32_t dtype, const int64_t* shape, int32_t ndim,
                                    const void* data, size_t nbytes) {
    return guarded(m == nullptr ? nullptr : &m->last_error, ALDM2_STATUS_INTERNAL, [&] {
        require(m, "m");
        m->release_outputs();
        if (!is_host_dtype(dtype)) {
            throw Failure(ALDM2_STATUS_INVALID_ARGUMENT,
                          cat("dtype must be F32 (0), I64 (3) or BOOL (4) for host buffers, got ", dtype, " (",
                              dtype_name(dtype), ")"));
        }
        if (ndim < 0 || ndim > ALDM2_MAX_DIMS) {
            throw Failure(ALDM2_STATUS_INVALID_ARGUMENT,
                          cat("ndim must be in [0, ", ALDM2_MAX_DIMS, "], got ", ndim));
        }
        if (ndim > 0) {
            require(shape, "shape");
        }
        size_t numel = 1;
        for (int32_t i = 0; i < ndim; ++i) {
            if (shape[i] < 0) {
                throw Failure(ALDM2_STATUS_INVALID_ARGUMENT,
                              cat("shape[", i, "] must be >= 0, got ", shape[i], " in ", shape_string(shape, ndim)));
            }
            numel *= static_cast<size_t>(shape[i]);
        }
        size_t expected = numel * element_size(dtype);
        if (nbytes != expected) {
            throw Failure(ALDM2_STATUS_INVALID_ARGUMENT,
                          cat("nbytes must equal ", numel, " elements * ", element_size(dtype), " bytes = ", expected,
                              " for ", dtype_name(dtype), " shape ", shape_string(shape, ndim), ", got ", nbytes));
        }
        if (expected > 0) {
            require(data, "data");
        }
        c10::InferenceMode inference;
        std::vector<int64_t> sizes(shape, shape + ndim);
        at::Tensor host = torch::empty(sizes, at::TensorOptions().dtype(scalar_type(dtype)));
        if (dtype == ALDM2_DTYPE_BOOL) {
            const unsigned char* src = static_cast<const unsigned char*>(data);
            bool* dst = host.data_ptr<bool>();
            for (size_t i = 0; i < numel; ++i) {
                dst[i] = src[i] != 0;
            }
        } else if (expected > 0) {
            std::memcpy(host.data_ptr(), data, expected);
        }
        // Float tensors of rank >= 2 run in the compute dtype; rank 0/1 floats (timesteps, scalars) stay float32,
        // as diffusers keeps timesteps out of the half-precision cast (bf16 would round 991 to 992).
        at::ScalarType target = dtype == ALDM2_DTYPE_F32 && ndim >= 2 ? m->compute : host.scalar_type();
        m->inputs.push_back(host.to(m->device, target));
        m->sync_counters();
    });
}

aldm2_status aldm2_module_forward(aldm2_module* m) {
    return guarded(m == nullptr ? nullptr : &m->last_error, ALDM2_STATUS_FORWARD_FAILED, [&] {
        require(m, "m");
        m->release_outputs();
        std::vector<at::Tensor> inputs = std::move(m->inputs);  // consumed, also when forward fails
        m->inputs.clear();
        m->sync_counters();
        apply_threads_to_this_thread();
        c10::InferenceMode inference;
        c10::IValue result;
#if ALDM2_WITH_CUDA
        if (m->graph) {
            result = m->graph->run(m->module, inputs, m->device);
        } else
#endif
        {
            std::vector<c10::IValue> args(inputs.begin(), inputs.end());
            result = m->module.forward(std::move(args));
        }
        std::vector<at::Tensor> outputs;
        flatten(result, outputs);
        m->outputs = std::move(outputs);
        m->sync_counters();
    });
}

aldm2_status aldm2_module_output_count(const aldm2_module* m, int32_t* count) {
    return guarded(m == nullptr ? nullptr : &m->last_error, ALDM2_STATUS_INTERNAL, [&] {
        require(m, "m");
        require(count, "count");
        *count = static_cast<int32_t>(m->outputs.size());
    });
}

aldm2_status aldm2_module_output_info(const aldm2_module* m, int32_t index, int32_t* dtype, int32_t* ndim,
                                      int64_t* shape, int32_t shape_capacity) {
    return guarded(m == nullptr ? nullptr : &m->last_error, ALDM2_STATUS_INTERNAL, [&] {
        require(m, "m");
        if (shape_capacity < 0) {
            throw Failure(ALDM2_STATUS_INVALID_ARGUMENT, cat("shape_capacity must be >= 0, got ", shape_capacity));
        }
        if (shape_capacity > 0) {
            require(shape, "shape");
        }
        const at::Tensor& t = output_at(m, index);
        int32_t rank = static_cast<int32_t>(t.dim());
        if (dtype != nullptr) {
            *dtype = host_dtype(t.scalar_type());
        }
        if (ndim != nullptr) {
            *ndim = rank;
        }
        if (shape != nullptr) {
            if (rank > shape_capacity) {
                throw Failure(ALDM2_STATUS_INVALID_ARGUMENT,
                              cat("shape_capacity must be >= the rank of output ", index, " (", rank, "), got ",
                                  shape_capacity));
            }
            for (int32_t i = 0; i < rank; ++i) {
                shape[i] = t.size(i);
            }
        }
    });
}

aldm2_status aldm2_module_output_copy(const aldm2_module* m, int32_t index, int32_t dtype, void* dst,
                                      size_t dst_bytes) {
    return guarded(m == nullptr ? nullptr : &m->last_error, ALDM2_STATUS_INTERNAL, [&] {
        require(m, "m");
        const at::Tensor& t = output_at(m, index);
        int32_t actual = host_dtype(t.scalar_type());
        if (dtype != actual) {
            throw Failure(ALDM2_STATUS_INVALID_ARGUMENT,
                          cat("dtype must be the dtype of output ", index, " (", dtype_name(actual), "), got ", dtype,
                              " (", dtype_name(dtype), ")"));
        }
        size_t needed = static_cast<size_t>(t.numel()) * element_size(actual);
        if (dst_bytes < needed) {
            throw Failure(ALDM2_STATUS_INVALID_ARGUMENT,
                          cat("dst_bytes must be >= ", needed, " for output ", index, " (", dtype_name(actual), " ",
                              shape_string(t.sizes()), "), got ", dst_bytes));
        }
        if (needed > 0) {
            std::memcpy(require(dst, "dst"), t.data_ptr(), needed);
        }
    });
}

aldm2_status aldm2_module_clear(aldm2_module* m) {
    return guarded(m == nullptr ? nullptr : &m->last_error, ALDM2_STATUS_INTERNAL, [&] {
        require(m, "m");
        m->inputs.clear();
        m->outputs.clear();
        m->sync_counters();
    });
}

}  // extern "C"
