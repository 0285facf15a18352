/*
 * C test of the aldm2 ABI on the committed tiny bundle (torchscript-models/tiny-bundle): every
 * component against its Python reference outputs, every error path a caller can hit, NULL
 * safety, and the live-handle counter. Plain C99 on purpose: it also proves that aldm2.h is a C
 * header. Usage: aldm2_c_api_test <tiny-bundle dir> <scratch dir>
 */
#include "aldm2.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int checks = 0;
static int failures = 0;

#define CHECK(cond, ...)                                               \
    do {                                                               \
        checks++;                                                      \
        if (!(cond)) {                                                 \
            failures++;                                                \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);       \
            fprintf(stderr, __VA_ARGS__);                              \
            fputc('\n', stderr);                                       \
        }                                                              \
    } while (0)

#define EXPECT_STATUS(want, call)                                                                      \
    do {                                                                                               \
        aldm2_status got_ = (call);                                                                    \
        CHECK(got_ == (want), "%s returned %s, expected %s (last error: %s)", #call,                    \
              aldm2_status_name(got_), aldm2_status_name(want), aldm2_last_error());                   \
    } while (0)

#define EXPECT_ERROR_CONTAINS(text)                                                                    \
    CHECK(strstr(aldm2_last_error(), (text)) != NULL, "last error \"%s\" lacks \"%s\"", aldm2_last_error(), (text))

static const char* bundle;
static const char* scratch;

/* ---- a minimal .npy reader (little-endian <f4, <i8, |b1, C order) ---------------------------------- */

typedef struct npy {
    int32_t dtype; /* aldm2_dtype */
    int32_t ndim;
    int64_t shape[ALDM2_MAX_DIMS];
    size_t numel;
    size_t nbytes;
    void* data;
} npy;

static int npy_read(const char* path, npy* out) {
    FILE* f = fopen(path, "rb");
    unsigned char pre[10];
    char header[4096];
    size_t hlen;
    const char* p;
    int32_t i;
    memset(out, 0, sizeof(*out));
    if (f == NULL) {
        return 0;
    }
    if (fread(pre, 1, 10, f) != 10 || memcmp(pre, "\x93NUMPY", 6) != 0 || pre[6] != 1) {
        fclose(f);
        return 0;
    }
    hlen = (size_t)pre[8] | ((size_t)pre[9] << 8);
    if (hlen >= sizeof(header) || fread(header, 1, hlen, f) != hlen) {
        fclose(f);
        return 0;
    }
    header[hlen] = '\0';
    if (strstr(header, "'descr': '<f4'")) {
        out->dtype = ALDM2_DTYPE_F32;
    } else if (strstr(header, "'descr': '<i8'")) {
        out->dtype = ALDM2_DTYPE_I64;
    } else if (strstr(header, "'descr': '|b1'")) {
        out->dtype = ALDM2_DTYPE_BOOL;
    } else {
        fclose(f);
        return 0;
    }
    p = strstr(header, "'shape': (");
    if (p == NULL || strstr(header, "'fortran_order': False") == NULL) {
        fclose(f);
        return 0;
    }
    p += strlen("'shape': (");
    out->numel = 1;
    for (i = 0; *p != ')' && i < ALDM2_MAX_DIMS; i++) {
        char* end;
        long long d = strtoll(p, &end, 10);
        if (end == p) {
            break;
        }
        out->shape[i] = d;
        out->numel *= (size_t)d;
        p = end;
        while (*p == ',' || *p == ' ') {
            p++;
        }
    }
    out->ndim = i;
    out->nbytes = out->numel * (out->dtype == ALDM2_DTYPE_F32 ? 4 : out->dtype == ALDM2_DTYPE_I64 ? 8 : 1);
    out->data = malloc(out->nbytes > 0 ? out->nbytes : 1);
    if (out->data == NULL || fread(out->data, 1, out->nbytes, f) != out->nbytes) {
        free(out->data);
        out->data = NULL;
        fclose(f);
        return 0;
    }
    fclose(f);
    return 1;
}

static void npy_free(npy* a) {
    free(a->data);
    a->data = NULL;
}

static int file_exists(const char* path) {
    FILE* f = fopen(path, "rb");
    if (f != NULL) {
        fclose(f);
        return 1;
    }
    return 0;
}

static void path_of(char* buf, size_t size, const char* dir, const char* name) {
    snprintf(buf, size, "%s/%s", dir, name);
}

static aldm2_load_params cpu_f32(void) {
    aldm2_load_params p;
    aldm2_load_params_init(&p);
    return p;
}

/* ---- tests -------------------------------------------------------------------------------------- */

static void test_queries(void) {
    char expected[32];
    int32_t s;
    snprintf(expected, sizeof(expected), "%d.%d.%d", ALDM2_VERSION_MAJOR, ALDM2_VERSION_MINOR, ALDM2_VERSION_PATCH);
    CHECK(strcmp(aldm2_version(), expected) == 0, "version %s != %s", aldm2_version(), expected);
    CHECK(strstr(aldm2_build_info(), "libtorch") != NULL, "build info: %s", aldm2_build_info());
    CHECK(strcmp(aldm2_status_name(ALDM2_STATUS_OK), "OK") == 0, "OK name");
    CHECK(strcmp(aldm2_status_name(ALDM2_STATUS_FORWARD_FAILED), "FORWARD_FAILED") == 0, "FORWARD_FAILED name");
    CHECK(strcmp(aldm2_status_name(ALDM2_STATUS_INTERNAL), "INTERNAL") == 0, "INTERNAL name");
    CHECK(strcmp(aldm2_status_name(ALDM2_STATUS_COUNT), "UNKNOWN") == 0, "COUNT is not a status");
    CHECK(strcmp(aldm2_status_name(-1), "UNKNOWN") == 0, "-1 is not a status");
    for (s = 0; s < ALDM2_STATUS_COUNT; s++) {
        CHECK(strcmp(aldm2_status_name(s), "UNKNOWN") != 0, "status %d has a name", s);
    }
    CHECK(strcmp(aldm2_dtype_name(ALDM2_DTYPE_BF16), "BF16") == 0, "BF16 name");
    CHECK(strcmp(aldm2_dtype_name(ALDM2_DTYPE_COUNT), "UNKNOWN") == 0, "COUNT is not a dtype");
}

static void test_null_safety(void) {
    aldm2_module* m = (aldm2_module*)&checks; /* poisoned: must be reset to NULL on failure */
    int64_t before = aldm2_live_handles();
    int32_t count = 0;
    EXPECT_STATUS(ALDM2_STATUS_OK, aldm2_runtime_free(NULL));
    EXPECT_STATUS(ALDM2_STATUS_OK, aldm2_module_free(NULL));
    CHECK(strcmp(aldm2_last_error(), "") == 0, "a successful call clears the thread's error: %s", aldm2_last_error());
    CHECK(aldm2_live_handles() == before, "free(NULL) changes no counter");
    EXPECT_STATUS(ALDM2_STATUS_INVALID_ARGUMENT, aldm2_runtime_params_init(NULL));
    EXPECT_ERROR_CONTAINS("params must not be NULL");
    EXPECT_STATUS(ALDM2_STATUS_INVALID_ARGUMENT, aldm2_load_params_init(NULL));
    EXPECT_STATUS(ALDM2_STATUS_INVALID_ARGUMENT, aldm2_runtime_new(NULL, NULL));
    EXPECT_ERROR_CONTAINS("out must not be NULL");
    EXPECT_STATUS(ALDM2_STATUS_INVALID_ARGUMENT, aldm2_module_load(NULL, "x.pt", NULL, &m));
    CHECK(m == NULL, "out is set to NULL on failure");
    EXPECT_ERROR_CONTAINS("rt must not be NULL");
    EXPECT_STATUS(ALDM2_STATUS_INVALID_ARGUMENT, aldm2_module_forward(NULL));
    EXPECT_ERROR_CONTAINS("m must not be NULL");
    EXPECT_STATUS(ALDM2_STATUS_INVALID_ARGUMENT, aldm2_module_add_input(NULL, ALDM2_DTYPE_F32, NULL, 0, NULL, 0));
    EXPECT_STATUS(ALDM2_STATUS_INVALID_ARGUMENT, aldm2_module_output_count(NULL, &count));
    EXPECT_STATUS(ALDM2_STATUS_INVALID_ARGUMENT, aldm2_module_output_info(NULL, 0, NULL, NULL, NULL, 0));
    EXPECT_STATUS(ALDM2_STATUS_INVALID_ARGUMENT, aldm2_module_output_copy(NULL, 0, ALDM2_DTYPE_F32, NULL, 0));
    EXPECT_STATUS(ALDM2_STATUS_INVALID_ARGUMENT, aldm2_module_clear(NULL));
    EXPECT_STATUS(ALDM2_STATUS_INVALID_ARGUMENT, aldm2_runtime_device_count(NULL, ALDM2_DEVICE_CPU, &count));
    CHECK(strcmp(aldm2_module_last_error(NULL), "") == 0, "module_last_error(NULL) is empty");
    CHECK(aldm2_live_handles() == before, "failed calls allocate nothing");
}

static void test_runtime(aldm2_runtime* rt) {
    aldm2_runtime_params rp;
    aldm2_runtime* other = NULL;
    int32_t count = -1;
    int64_t live = -1;
    EXPECT_STATUS(ALDM2_STATUS_OK, aldm2_runtime_params_init(&rp));
    CHECK(rp.num_threads == 0, "default num_threads is 0");
    rp.num_threads = -2;
    EXPECT_STATUS(ALDM2_STATUS_INVALID_ARGUMENT, aldm2_runtime_new(&rp, &other));
    EXPECT_ERROR_CONTAINS("num_threads must be >= 0");
    EXPECT_ERROR_CONTAINS("got -2");
    CHECK(other == NULL, "no runtime on failure");

    EXPECT_STATUS(ALDM2_STATUS_OK, aldm2_runtime_device_count(rt, ALDM2_DEVICE_CPU, &count));
    CHECK(count == 1, "one CPU device, got %d", count);
    EXPECT_STATUS(ALDM2_STATUS_OK, aldm2_runtime_device_count(rt, ALDM2_DEVICE_CUDA, &count));
    if (!aldm2_has_cuda()) {
        CHECK(count == 0, "no CUDA devices without CUDA support, got %d", count);
    }
    EXPECT_STATUS(ALDM2_STATUS_INVALID_ARGUMENT, aldm2_runtime_device_count(rt, 7, &count));
    EXPECT_ERROR_CONTAINS("device_type must be");
    EXPECT_STATUS(ALDM2_STATUS_INVALID_ARGUMENT, aldm2_runtime_device_count(rt, ALDM2_DEVICE_CPU, NULL));
    EXPECT_STATUS(ALDM2_STATUS_OK, aldm2_runtime_live_handles(rt, &live));
    CHECK(live == 0, "a new runtime holds nothing, got %lld", (long long)live);
}

static void expect_load_fails(aldm2_runtime* rt, const char* path, const aldm2_load_params* lp, aldm2_status want,
                              const char* text, int line) {
    aldm2_module* m = (aldm2_module*)&m;
    aldm2_status s = aldm2_module_load(rt, path, lp, &m);
    CHECK(s == want, "line %d: load returned %s, expected %s (%s)", line, aldm2_status_name(s), aldm2_status_name(want),
          aldm2_last_error());
    CHECK(m == NULL, "line %d: out is NULL after a failed load", line);
    CHECK(strstr(aldm2_last_error(), text) != NULL, "line %d: error \"%s\" lacks \"%s\"", line, aldm2_last_error(),
          text);
    aldm2_module_free(m == (aldm2_module*)&m ? NULL : m);
}

static void test_load_errors(aldm2_runtime* rt) {
    char path[4096];
    char vocoder[4096];
    aldm2_load_params lp;
    FILE* f;
    int64_t live = -1;
    int64_t global = aldm2_live_handles();

    path_of(path, sizeof(path), scratch, "no-such-module.pt");
    remove(path);
    expect_load_fails(rt, path, NULL, ALDM2_STATUS_NOT_FOUND, "not found", __LINE__);
    expect_load_fails(rt, path, NULL, ALDM2_STATUS_NOT_FOUND, "no-such-module.pt", __LINE__);
    expect_load_fails(rt, scratch, NULL, ALDM2_STATUS_NOT_FOUND, "not a regular file", __LINE__);
    expect_load_fails(rt, NULL, NULL, ALDM2_STATUS_INVALID_ARGUMENT, "path must not be NULL", __LINE__);

    path_of(path, sizeof(path), scratch, "garbage.pt");
    f = fopen(path, "wb");
    CHECK(f != NULL, "cannot write %s", path);
    if (f != NULL) {
        fputs("this is not a TorchScript archive", f);
        fclose(f);
        expect_load_fails(rt, path, NULL, ALDM2_STATUS_LOAD_FAILED, "cannot load TorchScript module", __LINE__);
        expect_load_fails(rt, path, NULL, ALDM2_STATUS_LOAD_FAILED, "garbage.pt", __LINE__);
    }

    /* the first half of a real module */
    path_of(vocoder, sizeof(vocoder), bundle, "vocoder.pt");
    f = fopen(vocoder, "rb");
    if (f != NULL) {
        static char buf[1 << 20];
        size_t n = fread(buf, 1, sizeof(buf), f);
        FILE* g;
        fclose(f);
        path_of(path, sizeof(path), scratch, "truncated.pt");
        g = fopen(path, "wb");
        if (g != NULL) {
            fwrite(buf, 1, n / 2, g);
            fclose(g);
            expect_load_fails(rt, path, NULL, ALDM2_STATUS_LOAD_FAILED, "truncated.pt", __LINE__);
        }
    }

    lp = cpu_f32();
    lp.device_type = 9;
    expect_load_fails(rt, vocoder, &lp, ALDM2_STATUS_INVALID_ARGUMENT, "device_type must be", __LINE__);
    lp = cpu_f32();
    lp.dtype = ALDM2_DTYPE_I64;
    expect_load_fails(rt, vocoder, &lp, ALDM2_STATUS_INVALID_ARGUMENT, "dtype must be F32 (0), F16 (1) or BF16 (2), got 3 (I64)",
                      __LINE__);
    lp = cpu_f32();
    lp.device_index = -1;
    expect_load_fails(rt, vocoder, &lp, ALDM2_STATUS_INVALID_ARGUMENT, "device_index must be >= 0, got -1", __LINE__);
    lp = cpu_f32();
    lp.device_index = 1;
    expect_load_fails(rt, vocoder, &lp, ALDM2_STATUS_INVALID_ARGUMENT, "device_index must be 0 for the CPU, got 1",
                      __LINE__);
    lp = cpu_f32();
    lp.dtype = ALDM2_DTYPE_F16;
    expect_load_fails(rt, vocoder, &lp, ALDM2_STATUS_UNSUPPORTED, "F16 is unsupported on the CPU", __LINE__);
    if (!aldm2_has_cuda()) {
        lp = cpu_f32();
        lp.cuda_graph = 1;
        expect_load_fails(rt, vocoder, &lp, ALDM2_STATUS_UNSUPPORTED, "cuda_graph is unsupported", __LINE__);
        lp = cpu_f32();
        lp.device_type = ALDM2_DEVICE_CUDA;
        expect_load_fails(rt, vocoder, &lp, ALDM2_STATUS_UNSUPPORTED, "CUDA is unsupported", __LINE__);
    } else {
        lp = cpu_f32();
        lp.cuda_graph = 1;
        expect_load_fails(rt, vocoder, &lp, ALDM2_STATUS_INVALID_ARGUMENT, "cuda_graph requires device_type", __LINE__);
    }
    EXPECT_STATUS(ALDM2_STATUS_OK, aldm2_runtime_live_handles(rt, &live));
    CHECK(live == 0, "failed loads leave nothing behind, got %lld", (long long)live);
    CHECK(aldm2_live_handles() == global, "failed loads leave nothing behind (global)");
}

/* The settings test_components runs with (environment, see main): device, compute dtype, CUDA graph. */
static aldm2_load_params component_params;
static int component_repeats = 1;

typedef struct errors {
    double max_abs; /* over every float output */
    double rel_l2;  /* ||got - ref|| / ||ref|| over every float output */
    int replays_equal; /* forward calls after the second returned bit-identical outputs */
} errors;

/* Adds the reference inputs of a component; returns how many. */
static int32_t add_reference_inputs(aldm2_module* m, const char* name) {
    char path[4096];
    char file[256];
    int32_t i;
    for (i = 0;; i++) {
        npy in;
        snprintf(file, sizeof(file), "reference/%s.in%d.npy", name, i);
        path_of(path, sizeof(path), bundle, file);
        if (!file_exists(path)) {
            break;
        }
        CHECK(npy_read(path, &in), "cannot read %s", path);
        EXPECT_STATUS(ALDM2_STATUS_OK, aldm2_module_add_input(m, in.dtype, in.shape, in.ndim, in.data, in.nbytes));
        npy_free(&in);
    }
    return i;
}

/*
 * Runs one component on its reference inputs `repeats` times (a CUDA-graph module captures on an
 * early call and replays afterwards); returns its errors against the reference outputs, max_abs -1
 * when it could not run.
 */
static errors run_component(aldm2_runtime* rt, const char* name, const aldm2_load_params* lp, int repeats,
                            int* outputs_ok) {
    char path[4096];
    char file[256];
    aldm2_module* m = NULL;
    int32_t i;
    int32_t n_out = -1;
    int r;
    double num = 0, den = 0;
    int64_t live = -1;
    void* previous[8] = {NULL};
    errors e = {0, 0, 1};
    *outputs_ok = 0;

    snprintf(file, sizeof(file), "%s.pt", name);
    path_of(path, sizeof(path), bundle, file);
    EXPECT_STATUS(ALDM2_STATUS_OK, aldm2_module_load(rt, path, lp, &m));
    if (m == NULL) {
        e.max_abs = -1;
        return e;
    }
    for (r = 0; r < repeats; r++) {
        i = add_reference_inputs(m, name);
        EXPECT_STATUS(ALDM2_STATUS_OK, aldm2_runtime_live_handles(rt, &live));
        CHECK(live == 1 + i, "%s: module + %d staged inputs live, got %lld", name, i, (long long)live);
        EXPECT_STATUS(ALDM2_STATUS_OK, aldm2_module_forward(m));
        EXPECT_STATUS(ALDM2_STATUS_OK, aldm2_module_output_count(m, &n_out));
        EXPECT_STATUS(ALDM2_STATUS_OK, aldm2_runtime_live_handles(rt, &live));
        CHECK(live == 1 + n_out, "%s: module + %d outputs live after forward, got %lld", name, n_out,
              (long long)live);
        for (i = 0; i < n_out; i++) {
            npy ref;
            int32_t dtype = -1, ndim = -1, d;
            int64_t shape[ALDM2_MAX_DIMS];
            void* got;
            snprintf(file, sizeof(file), "reference/%s.out%d.npy", name, i);
            path_of(path, sizeof(path), bundle, file);
            if (!npy_read(path, &ref)) {
                CHECK(0, "%s: no reference for output %d", name, i);
                continue;
            }
            EXPECT_STATUS(ALDM2_STATUS_OK, aldm2_module_output_info(m, i, &dtype, &ndim, shape, ALDM2_MAX_DIMS));
            CHECK(dtype == ref.dtype, "%s out%d: dtype %s, expected %s", name, i, aldm2_dtype_name(dtype),
                  aldm2_dtype_name(ref.dtype));
            CHECK(ndim == ref.ndim, "%s out%d: rank %d, expected %d", name, i, ndim, ref.ndim);
            for (d = 0; d < ndim && d < ref.ndim; d++) {
                CHECK(shape[d] == ref.shape[d], "%s out%d: dim %d is %lld, expected %lld", name, i, d,
                      (long long)shape[d], (long long)ref.shape[d]);
            }
            got = malloc(ref.nbytes > 0 ? ref.nbytes : 1);
            EXPECT_STATUS(ALDM2_STATUS_OK, aldm2_module_output_copy(m, i, ref.dtype, got, ref.nbytes));
            if (ref.dtype == ALDM2_DTYPE_F32) {
                size_t k;
                const float* a = (const float*)got;
                const float* x = (const float*)ref.data;
                for (k = 0; k < ref.numel; k++) {
                    double err = fabs((double)a[k] - (double)x[k]);
                    if (err > e.max_abs || err != err) {
                        e.max_abs = err != err ? INFINITY : err;
                    }
                    num += err * err;
                    den += (double)x[k] * (double)x[k];
                }
            } else {
                CHECK(memcmp(got, ref.data, ref.nbytes) == 0, "%s out%d: integer output differs", name, i);
            }
            if (i < 8) {
                /* calls 3.. must equal call 2 bit for bit (graph replays of one capture, or eager) */
                if (r >= 2 && previous[i] != NULL && memcmp(previous[i], got, ref.nbytes) != 0) {
                    e.replays_equal = 0;
                }
                if (r == 1) {
                    previous[i] = got;
                    got = NULL;
                }
            }
            free(got);
            npy_free(&ref);
        }
    }
    for (i = 0; i < 8; i++) {
        free(previous[i]);
    }
    EXPECT_STATUS(ALDM2_STATUS_OK, aldm2_module_clear(m));
    EXPECT_STATUS(ALDM2_STATUS_OK, aldm2_runtime_live_handles(rt, &live));
    CHECK(live == 1, "%s: only the module after clear, got %lld", name, (long long)live);
    EXPECT_STATUS(ALDM2_STATUS_OK, aldm2_module_free(m));
    *outputs_ok = n_out > 0;
    e.rel_l2 = den > 0 ? sqrt(num / den) : sqrt(num);
    return e;
}

/*
 * Every component against its reference, with the settings of component_params: on the CPU in
 * F32 within 1e-5 absolute (the reference is a CPU F32 run); otherwise (CUDA, F16, BF16) by the
 * relative L2 error, within 5e-3 for F32 on CUDA (TF32 convolutions), 2e-2 for F16 and 0.1 for
 * BF16. Not the vocoder and VAE decoder in BF16 on the CPU under libtorch < 2 (no BF16 transposed
 * convolution there; test_bf16 covers two others).
 */
static void test_components(aldm2_runtime* rt) {
    static const char* names[] = {"clap_text", "clap_audio", "t5_encoder", "projection", "gpt2",
                                  "unet",      "vae_encoder", "vae_decoder", "vocoder"};
    size_t i;
    const aldm2_load_params* lp = &component_params;
    int exact = lp->device_type == ALDM2_DEVICE_CPU && lp->dtype == ALDM2_DTYPE_F32;
    double tol = exact ? 1e-5
                       : lp->dtype == ALDM2_DTYPE_F32 ? 5e-3 : lp->dtype == ALDM2_DTYPE_F16 ? 2e-2 : 0.1;
    printf("components on %s, %s%s, %d call(s) each\n", lp->device_type == ALDM2_DEVICE_CUDA ? "cuda" : "cpu",
           aldm2_dtype_name(lp->dtype), lp->cuda_graph ? ", CUDA graph" : "", component_repeats);
    int old_cpu_bf16 = lp->device_type == ALDM2_DEVICE_CPU && lp->dtype == ALDM2_DTYPE_BF16
                       && strstr(aldm2_build_info(), "(libtorch 1.") != NULL;
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        int ok = 0;
        errors e;
        if (old_cpu_bf16 && (strcmp(names[i], "vocoder") == 0 || strcmp(names[i], "vae_decoder") == 0)) {
            printf("  %-12s skipped: no BF16 transposed convolution on the CPU in libtorch 1.x\n", names[i]);
            continue;
        }
        e = run_component(rt, names[i], lp, component_repeats, &ok);
        CHECK(ok, "%s produced outputs", names[i]);
        if (exact) {
            CHECK(e.max_abs >= 0 && e.max_abs <= tol, "%s max abs error %g > %g", names[i], e.max_abs, tol);
        } else {
            CHECK(e.max_abs >= 0 && e.rel_l2 <= tol, "%s relative L2 error %g > %g", names[i], e.rel_l2, tol);
        }
        CHECK(e.replays_equal, "%s: repeated calls differ", names[i]);
        printf("  %-12s max abs error %.3g, relative L2 error %.3g%s\n", names[i], e.max_abs, e.rel_l2,
               component_repeats > 2 ? (e.replays_equal ? ", calls 2.. identical" : ", calls DIFFER") : "");
    }
}

/*
 * BF16 compute on the CPU: float inputs are cast down, outputs come back as F32, close to the F32
 * reference but not equal. (Not the vocoder or VAE decoder: libtorch 1.13, Debian's, has no working
 * BF16 transposed convolution on the CPU; it arrived in 2.0.)
 */
static void test_bf16(aldm2_runtime* rt, const char* name) {
    char path[4096];
    char file[256];
    aldm2_module* m = NULL;
    aldm2_load_params lp = cpu_f32();
    npy in, ref;
    float* out;
    double num = 0, den = 0, rel;
    size_t k;
    int32_t i;
    lp.dtype = ALDM2_DTYPE_BF16;
    snprintf(file, sizeof(file), "%s.pt", name);
    path_of(path, sizeof(path), bundle, file);
    EXPECT_STATUS(ALDM2_STATUS_OK, aldm2_module_load(rt, path, &lp, &m));
    if (m == NULL) {
        return;
    }
    for (i = 0;; i++) {
        snprintf(file, sizeof(file), "reference/%s.in%d.npy", name, i);
        path_of(path, sizeof(path), bundle, file);
        if (!file_exists(path)) {
            break;
        }
        CHECK(npy_read(path, &in), "cannot read %s", path);
        EXPECT_STATUS(ALDM2_STATUS_OK, aldm2_module_add_input(m, in.dtype, in.shape, in.ndim, in.data, in.nbytes));
        npy_free(&in);
    }
    snprintf(file, sizeof(file), "reference/%s.out0.npy", name);
    path_of(path, sizeof(path), bundle, file);
    CHECK(npy_read(path, &ref), "cannot read %s", path);
    EXPECT_STATUS(ALDM2_STATUS_OK, aldm2_module_forward(m));
    out = (float*)calloc(ref.numel > 0 ? ref.numel : 1, sizeof(float));
    EXPECT_STATUS(ALDM2_STATUS_OK, aldm2_module_output_copy(m, 0, ALDM2_DTYPE_F32, out, ref.nbytes));
    for (k = 0; k < ref.numel; k++) {
        double e = ((const float*)ref.data)[k];
        num += (out[k] - e) * (out[k] - e);
        den += e * e;
    }
    rel = sqrt(num / den);
    CHECK(rel > 0 && rel < 0.1, "%s bf16 relative L2 error %g must be in (0, 0.1)", name, rel);
    printf("  %-12s bf16 relative L2 error %.3g\n", name, rel);
    free(out);
    npy_free(&ref);
    aldm2_module_free(m);
}

static void test_module_errors(aldm2_runtime* rt) {
    char path[4096];
    aldm2_module* m = NULL;
    int32_t count = -1, dtype = -1, ndim = -1;
    int64_t shape[ALDM2_MAX_DIMS];
    int64_t live = -1;
    float mel[8 * 64];
    float small[2 * 3 * 5];
    float out[16 * 2 * 16];
    int64_t good[4] = {1, 1, 8, 64};
    int64_t bad[3] = {2, 3, 5};
    int64_t negative[2] = {2, -1};
    aldm2_load_params lp = cpu_f32();
    memset(mel, 0, sizeof(mel));
    memset(small, 0, sizeof(small));

    path_of(path, sizeof(path), bundle, "vae_encoder.pt");
    EXPECT_STATUS(ALDM2_STATUS_OK, aldm2_module_load(rt, path, &lp, &m));
    if (m == NULL) {
        return;
    }
    /* order of calls */
    EXPECT_STATUS(ALDM2_STATUS_OK, aldm2_module_output_count(m, &count));
    CHECK(count == 0, "no outputs before forward, got %d", count);
    EXPECT_STATUS(ALDM2_STATUS_BAD_STATE, aldm2_module_output_info(m, 0, &dtype, &ndim, shape, ALDM2_MAX_DIMS));
    EXPECT_ERROR_CONTAINS("run aldm2_module_forward first");
    CHECK(strcmp(aldm2_module_last_error(m), aldm2_last_error()) == 0, "module error equals thread error");
    EXPECT_STATUS(ALDM2_STATUS_BAD_STATE, aldm2_module_output_copy(m, 0, ALDM2_DTYPE_F32, out, sizeof(out)));

    /* bad inputs */
    EXPECT_STATUS(ALDM2_STATUS_INVALID_ARGUMENT, aldm2_module_add_input(m, ALDM2_DTYPE_F16, good, 4, mel, sizeof(mel)));
    EXPECT_ERROR_CONTAINS("dtype must be F32 (0), I64 (3) or BOOL (4) for host buffers, got 1 (F16)");
    EXPECT_STATUS(ALDM2_STATUS_INVALID_ARGUMENT, aldm2_module_add_input(m, 42, good, 4, mel, sizeof(mel)));
    EXPECT_ERROR_CONTAINS("got 42 (UNKNOWN)");
    EXPECT_STATUS(ALDM2_STATUS_INVALID_ARGUMENT, aldm2_module_add_input(m, ALDM2_DTYPE_F32, good, 17, mel, sizeof(mel)));
    EXPECT_ERROR_CONTAINS("ndim must be in [0, 16], got 17");
    EXPECT_STATUS(ALDM2_STATUS_INVALID_ARGUMENT, aldm2_module_add_input(m, ALDM2_DTYPE_F32, negative, 2, mel, 0));
    EXPECT_ERROR_CONTAINS("shape[1] must be >= 0, got -1 in [2, -1]");
    EXPECT_STATUS(ALDM2_STATUS_INVALID_ARGUMENT, aldm2_module_add_input(m, ALDM2_DTYPE_F32, good, 4, mel, 100));
    EXPECT_ERROR_CONTAINS("nbytes must equal 512 elements * 4 bytes = 2048 for F32 shape [1, 1, 8, 64], got 100");
    EXPECT_STATUS(ALDM2_STATUS_INVALID_ARGUMENT, aldm2_module_add_input(m, ALDM2_DTYPE_F32, NULL, 4, mel, sizeof(mel)));
    EXPECT_ERROR_CONTAINS("shape must not be NULL");
    EXPECT_STATUS(ALDM2_STATUS_INVALID_ARGUMENT, aldm2_module_add_input(m, ALDM2_DTYPE_F32, good, 4, NULL, sizeof(mel)));
    EXPECT_ERROR_CONTAINS("data must not be NULL");
    EXPECT_STATUS(ALDM2_STATUS_OK, aldm2_runtime_live_handles(rt, &live));
    CHECK(live == 1, "rejected inputs are not staged, got %lld", (long long)live);

    /* libtorch rejects the shape: the module stays usable and nothing stays staged */
    EXPECT_STATUS(ALDM2_STATUS_OK, aldm2_module_add_input(m, ALDM2_DTYPE_F32, bad, 3, small, sizeof(small)));
    EXPECT_STATUS(ALDM2_STATUS_FORWARD_FAILED, aldm2_module_forward(m));
    CHECK(strlen(aldm2_module_last_error(m)) > 0, "forward failure has a message");
    CHECK(strstr(aldm2_module_last_error(m), "Exception raised from") == NULL, "no C++ backtrace in the message: %s",
          aldm2_module_last_error(m));
    EXPECT_STATUS(ALDM2_STATUS_OK, aldm2_runtime_live_handles(rt, &live));
    CHECK(live == 1, "a failed forward consumes its inputs, got %lld", (long long)live);
    EXPECT_STATUS(ALDM2_STATUS_OK, aldm2_module_output_count(m, &count));
    CHECK(count == 0, "a failed forward has no outputs, got %d", count);
    CHECK(strcmp(aldm2_module_last_error(m), "") == 0, "a successful call clears the module error");

    EXPECT_STATUS(ALDM2_STATUS_OK, aldm2_module_add_input(m, ALDM2_DTYPE_F32, good, 4, mel, sizeof(mel)));
    EXPECT_STATUS(ALDM2_STATUS_OK, aldm2_module_forward(m));
    EXPECT_STATUS(ALDM2_STATUS_OK, aldm2_module_output_count(m, &count));
    CHECK(count == 1, "one output, got %d", count);

    /* output queries */
    EXPECT_STATUS(ALDM2_STATUS_INVALID_ARGUMENT, aldm2_module_output_info(m, 0, &dtype, &ndim, shape, 2));
    EXPECT_ERROR_CONTAINS("shape_capacity must be >= the rank of output 0 (4), got 2");
    CHECK(ndim == 4, "rank is reported even when shape does not fit, got %d", ndim);
    EXPECT_STATUS(ALDM2_STATUS_OK, aldm2_module_output_info(m, 0, NULL, &ndim, NULL, 0));
    EXPECT_STATUS(ALDM2_STATUS_INVALID_ARGUMENT, aldm2_module_output_info(m, 1, &dtype, &ndim, shape, ALDM2_MAX_DIMS));
    EXPECT_ERROR_CONTAINS("index must be in [0, 1), got 1");
    EXPECT_STATUS(ALDM2_STATUS_INVALID_ARGUMENT, aldm2_module_output_info(m, -1, &dtype, &ndim, shape, ALDM2_MAX_DIMS));
    EXPECT_STATUS(ALDM2_STATUS_INVALID_ARGUMENT, aldm2_module_output_info(m, 0, &dtype, &ndim, NULL, 4));
    EXPECT_ERROR_CONTAINS("shape must not be NULL");
    EXPECT_STATUS(ALDM2_STATUS_OK, aldm2_module_output_info(m, 0, &dtype, &ndim, shape, ALDM2_MAX_DIMS));
    CHECK(dtype == ALDM2_DTYPE_F32 && ndim == 4 && shape[0] == 1 && shape[1] == 16 && shape[2] == 2 && shape[3] == 16,
          "vae_encoder output is F32 [1, 16, 2, 16]");
    EXPECT_STATUS(ALDM2_STATUS_INVALID_ARGUMENT, aldm2_module_output_copy(m, 0, ALDM2_DTYPE_I64, out, sizeof(out)));
    EXPECT_ERROR_CONTAINS("dtype must be the dtype of output 0 (F32), got 3 (I64)");
    EXPECT_STATUS(ALDM2_STATUS_INVALID_ARGUMENT, aldm2_module_output_copy(m, 0, ALDM2_DTYPE_F32, out, sizeof(out) - 4));
    EXPECT_ERROR_CONTAINS("dst_bytes must be >= 2048 for output 0 (F32 [1, 16, 2, 16]), got 2044");
    EXPECT_STATUS(ALDM2_STATUS_INVALID_ARGUMENT, aldm2_module_output_copy(m, 0, ALDM2_DTYPE_F32, NULL, sizeof(out)));
    EXPECT_STATUS(ALDM2_STATUS_OK, aldm2_module_output_copy(m, 0, ALDM2_DTYPE_F32, out, sizeof(out)));

    /* adding an input releases the previous outputs */
    EXPECT_STATUS(ALDM2_STATUS_OK, aldm2_module_add_input(m, ALDM2_DTYPE_F32, good, 4, mel, sizeof(mel)));
    EXPECT_STATUS(ALDM2_STATUS_OK, aldm2_module_output_count(m, &count));
    CHECK(count == 0, "add_input releases outputs, got %d", count);
    EXPECT_STATUS(ALDM2_STATUS_OK, aldm2_module_clear(m));
    EXPECT_STATUS(ALDM2_STATUS_OK, aldm2_runtime_live_handles(rt, &live));
    CHECK(live == 1, "clear releases staged inputs, got %lld", (long long)live);
    EXPECT_STATUS(ALDM2_STATUS_OK, aldm2_module_free(m));

    /* too many arguments */
    path_of(path, sizeof(path), bundle, "vocoder.pt");
    EXPECT_STATUS(ALDM2_STATUS_OK, aldm2_module_load(rt, path, &lp, &m));
    if (m != NULL) {
        int64_t vs[3] = {1, 8, 64};
        EXPECT_STATUS(ALDM2_STATUS_OK, aldm2_module_add_input(m, ALDM2_DTYPE_F32, vs, 3, mel, sizeof(mel)));
        EXPECT_STATUS(ALDM2_STATUS_OK, aldm2_module_add_input(m, ALDM2_DTYPE_F32, vs, 3, mel, sizeof(mel)));
        EXPECT_STATUS(ALDM2_STATUS_FORWARD_FAILED, aldm2_module_forward(m));
        EXPECT_STATUS(ALDM2_STATUS_OK, aldm2_module_free(m));
    }
}

static void test_module_outlives_runtime(void) {
    char path[4096];
    aldm2_runtime* rt = NULL;
    aldm2_module* m = NULL;
    int64_t before = aldm2_live_handles();
    int64_t shape[3] = {1, 4, 64};
    float mel[4 * 64];
    int32_t count = 0;
    memset(mel, 0, sizeof(mel));
    EXPECT_STATUS(ALDM2_STATUS_OK, aldm2_runtime_new(NULL, &rt));
    path_of(path, sizeof(path), bundle, "vocoder.pt");
    EXPECT_STATUS(ALDM2_STATUS_OK, aldm2_module_load(rt, path, NULL, &m));
    CHECK(aldm2_live_handles() == before + 2, "runtime + module live");
    EXPECT_STATUS(ALDM2_STATUS_OK, aldm2_runtime_free(rt));
    CHECK(aldm2_live_handles() == before + 1, "module live after its runtime is freed");
    EXPECT_STATUS(ALDM2_STATUS_OK, aldm2_module_add_input(m, ALDM2_DTYPE_F32, shape, 3, mel, sizeof(mel)));
    EXPECT_STATUS(ALDM2_STATUS_OK, aldm2_module_forward(m));
    EXPECT_STATUS(ALDM2_STATUS_OK, aldm2_module_output_count(m, &count));
    CHECK(count == 1, "module works after its runtime is freed");
    CHECK(aldm2_live_handles() == before + 2, "module + 1 output");
    EXPECT_STATUS(ALDM2_STATUS_OK, aldm2_module_free(m));
    CHECK(aldm2_live_handles() == before, "free releases the module and its outputs");
}

int main(int argc, char** argv) {
    aldm2_runtime* rt = NULL;
    if (argc != 3) {
        fprintf(stderr, "usage: %s <tiny-bundle dir> <scratch dir>\n", argv[0]);
        return 2;
    }
    bundle = argv[1];
    scratch = argv[2];
    printf("%s\n", aldm2_build_info());
    /* ALDM2_TEST_DEVICE=cpu|cuda, ALDM2_TEST_DTYPE=f32|f16|bf16, ALDM2_TEST_CUDA_GRAPH=0|1 choose the
     * settings of the component checks (native/gpu-check.sh runs the matrix); default CPU F32. */
    aldm2_load_params_init(&component_params);
    {
        const char* dev = getenv("ALDM2_TEST_DEVICE");
        const char* dt = getenv("ALDM2_TEST_DTYPE");
        const char* graph = getenv("ALDM2_TEST_CUDA_GRAPH");
        if (dev != NULL && strcmp(dev, "cuda") == 0) {
            component_params.device_type = ALDM2_DEVICE_CUDA;
        } else if (dev != NULL && *dev != '\0' && strcmp(dev, "cpu") != 0) {
            fprintf(stderr, "ALDM2_TEST_DEVICE must be cpu or cuda, got \"%s\"\n", dev);
            return 2;
        }
        if (dt != NULL && strcmp(dt, "f16") == 0) {
            component_params.dtype = ALDM2_DTYPE_F16;
        } else if (dt != NULL && strcmp(dt, "bf16") == 0) {
            component_params.dtype = ALDM2_DTYPE_BF16;
        } else if (dt != NULL && *dt != '\0' && strcmp(dt, "f32") != 0) {
            fprintf(stderr, "ALDM2_TEST_DTYPE must be f32, f16 or bf16, got \"%s\"\n", dt);
            return 2;
        }
        if (graph != NULL && strcmp(graph, "1") == 0) {
            component_params.cuda_graph = 1;
        } else if (graph != NULL && *graph != '\0' && strcmp(graph, "0") != 0) {
            fprintf(stderr, "ALDM2_TEST_CUDA_GRAPH must be 0 or 1, got \"%s\"\n", graph);
            return 2;
        }
        /* eager: two calls (the second must equal the first's successors); graph: warm-up, capture, replays */
        component_repeats = component_params.cuda_graph ? 5 : 3;
    }
    CHECK(aldm2_live_handles() == 0, "nothing live at start");

    test_queries();
    test_null_safety();
    EXPECT_STATUS(ALDM2_STATUS_OK, aldm2_runtime_new(NULL, &rt));
    if (rt != NULL) {
        CHECK(aldm2_live_handles() == 1, "one runtime live");
        test_runtime(rt);
        test_load_errors(rt);
        test_components(rt);
        test_bf16(rt, "vae_encoder");
        test_bf16(rt, "unet");
        test_module_errors(rt);
        EXPECT_STATUS(ALDM2_STATUS_OK, aldm2_runtime_free(rt));
    }
    test_module_outlives_runtime();
    CHECK(aldm2_live_handles() == 0, "nothing live at the end, got %lld", (long long)aldm2_live_handles());

    printf("aldm2 C API test: %d checks, %d failures\n", checks, failures);
    return failures == 0 ? 0 : 1;
}
