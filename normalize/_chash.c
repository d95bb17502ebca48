/* The native core of the fast MinHash mode: word shingle hashes and the
 * minimum of each permutation over a document's shingles.
 *
 * Optional: normalize/shingles.py and normalize/minhash.py fall back to their
 * numpy code when this module was not built (or TANQIYA_IMPLEMENTATION asks
 * for numpy). Both compute the same values; the tests check that they agree.
 *
 * word_shingles(texts, ngram) -> (bytearray hashes, bytearray offsets)
 *   texts    list of str
 *   hashes   native uint64: the polynomial hash of each shingle, in order
 *            (see normalize/shingles.py: sum((c + 1) * P**(len - 1 - i)) over
 *            the code points of ngram words joined by one space, mod 2**64)
 *   offsets  native int64, len(texts) + 1: text i owns hashes[o[i]:o[i + 1]]
 *   A word is a maximal run of characters that str.isspace() rejects. A text
 *   with fewer than ngram words has one shingle, all its words; one with no
 *   word has none.
 *
 * affine_min(values, offsets, a, b, out, wide) -> None
 *   values   buffer of native uint32 (wide false) or uint64 hashes (wide true,
 *            each taken as the top 32 bits of MurmurHash3's 64-bit finalizer)
 *   offsets  buffer of native int64, n + 1, ascending, within values
 *   a, b     buffers of k native uint32: the permutations
 *   out      writable buffer of n * k native uint32: row d, column p gets
 *            min(a[p] * v + b[p] mod 2**32) over document d's values, or
 *            2**32 - 1 when it has none
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#define PRIME_BASE 0x9E3779B97F4A7C15ull
#define SPACE_DIGIT 0x21u /* U+0020 plus one */
#define LANES 32          /* permutations kept in registers at a time */

/* The x86-64 build carries an AVX2 copy of the hot loop, picked at load time
 * where the CPU has it (GCC's function multi-versioning, glibc only). */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__GLIBC__)
#define HOT_LOOP __attribute__((target_clones("avx2", "default")))
#else
#define HOT_LOOP
#endif

typedef struct {
    uint64_t hash;  /* polynomial hash of the word's code points */
    uint64_t power; /* PRIME_BASE ** (its length) */
} Word;

typedef struct {
    char *data;
    Py_ssize_t used, size;
} Grow;

/* Room for ``more`` bytes at the end of ``g``. */
static int grow(Grow *g, Py_ssize_t more) {
    if (g->used + more <= g->size) return 0;
    Py_ssize_t size = g->size ? g->size : 4096;
    while (size < g->used + more) size *= 2;
    char *data = PyMem_Realloc(g->data, (size_t)size);
    if (data == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    g->data = data;
    g->size = size;
    return 0;
}

/* str.isspace(): no whitespace lies between U+00A0 and U+1680, so most
 * letters (Arabic ones among them) take two comparisons. */
static inline int is_space(Py_UCS4 c) {
    if (c < 128) return Py_UNICODE_ISSPACE(c);
    if (c < 0x1680) return c == 0x85 || c == 0xA0;
    return Py_UNICODE_ISSPACE(c);
}

/* Append one Word to ``words``; -1 when out of memory. */
static int add_word(Grow *words, uint64_t hash, uint64_t power) {
    if (grow(words, (Py_ssize_t)sizeof(Word)) < 0) return -1;
    Word *w = (Word *)(words->data + words->used);
    w->hash = hash;
    w->power = power;
    words->used += (Py_ssize_t)sizeof(Word);
    return 0;
}

/* The words of ``length`` characters of type CHAR at ``data`` into ``words``
 * (as Word items): their count, or -1. One copy per string kind, so that the
 * loop reads its characters without asking their width each time. */
#define SPLIT_WORDS(NAME, CHAR)                                                   \
    static Py_ssize_t NAME(const CHAR *data, Py_ssize_t length, Grow *words) {    \
        Py_ssize_t count = 0, i = 0;                                              \
        while (i < length) {                                                      \
            if (is_space(data[i])) {                                              \
                i++;                                                              \
                continue;                                                         \
            }                                                                     \
            uint64_t hash = 0, power = 1;                                         \
            for (; i < length && !is_space(data[i]); i++) {                       \
                hash = hash * PRIME_BASE + (uint64_t)data[i] + 1u;                \
                power *= PRIME_BASE;                                              \
            }                                                                     \
            if (add_word(words, hash, power) < 0) return -1;                      \
            count++;                                                              \
        }                                                                         \
        return count;                                                             \
    }

SPLIT_WORDS(split_words_1, Py_UCS1)
SPLIT_WORDS(split_words_2, Py_UCS2)
SPLIT_WORDS(split_words_4, Py_UCS4)

/* The words of ``text`` into ``words`` (as Word items); their count, or -1. */
static Py_ssize_t split_words(PyObject *text, Grow *words) {
#if PY_VERSION_HEX < 0x030C0000
    if (PyUnicode_READY(text) < 0) return -1;
#endif
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t length = PyUnicode_GET_LENGTH(text);
    words->used = 0;
    switch (PyUnicode_KIND(text)) {
    case PyUnicode_1BYTE_KIND:
        return split_words_1(data, length, words);
    case PyUnicode_2BYTE_KIND:
        return split_words_2(data, length, words);
    default:
        return split_words_4(data, length, words);
    }
}

/* The hash of ``count`` consecutive words joined by single spaces. */
static uint64_t joined_hash(const Word *w, Py_ssize_t count) {
    uint64_t hash = w[0].hash;
    for (Py_ssize_t j = 1; j < count; j++) {
        hash = hash * PRIME_BASE + SPACE_DIGIT;
        hash = hash * w[j].power + w[j].hash;
    }
    return hash;
}

static PyObject *word_shingles(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    (void)module;
    if (nargs != 2 || !PyList_Check(args[0])) {
        PyErr_SetString(PyExc_TypeError, "word_shingles(texts: list[str], ngram: int)");
        return NULL;
    }
    Py_ssize_t ngram = PyLong_AsSsize_t(args[1]);
    if (ngram == -1 && PyErr_Occurred()) return NULL;
    if (ngram < 1) {
        PyErr_SetString(PyExc_ValueError, "word_shingles(): ngram must be >= 1");
        return NULL;
    }
    PyObject *texts = args[0];
    Py_ssize_t n = PyList_GET_SIZE(texts);
    PyObject *offsets = PyByteArray_FromStringAndSize(NULL, (n + 1) * (Py_ssize_t)sizeof(int64_t));
    if (offsets == NULL) return NULL;
    int64_t *offset = (int64_t *)PyByteArray_AS_STRING(offsets);
    Grow words = {0}, hashes = {0};
    offset[0] = 0;
    for (Py_ssize_t d = 0; d < n; d++) {
        PyObject *text = PyList_GET_ITEM(texts, d);
        if (!PyUnicode_Check(text)) {
            PyErr_Format(PyExc_TypeError, "word_shingles(): item %zd is not a str", d);
            goto fail;
        }
        Py_ssize_t count = split_words(text, &words);
        if (count < 0) goto fail;
        Py_ssize_t shingles = count >= ngram ? count - ngram + 1 : (count > 0);
        if (grow(&hashes, shingles * (Py_ssize_t)sizeof(uint64_t)) < 0) goto fail;
        uint64_t *out = (uint64_t *)(hashes.data + hashes.used);
        const Word *w = (const Word *)words.data;
        Py_ssize_t width = count < ngram ? count : ngram;
        for (Py_ssize_t s = 0; s < shingles; s++) out[s] = joined_hash(w + s, width);
        hashes.used += shingles * (Py_ssize_t)sizeof(uint64_t);
        offset[d + 1] = offset[d] + shingles;
    }
    PyMem_Free(words.data);
    PyObject *flat = PyByteArray_FromStringAndSize(hashes.data ? hashes.data : "", hashes.used);
    PyMem_Free(hashes.data);
    if (flat == NULL) {
        Py_DECREF(offsets);
        return NULL;
    }
    return Py_BuildValue("(NN)", flat, offsets);
fail:
    PyMem_Free(words.data);
    PyMem_Free(hashes.data);
    Py_DECREF(offsets);
    return NULL;
}

/* The top 32 bits of MurmurHash3's 64-bit finalizer. */
static uint32_t fmix64_high(uint64_t h) {
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDull;
    h ^= h >> 33;
    h *= 0xC4CEB9FE1A85EC53ull;
    h ^= h >> 33;
    return (uint32_t)(h >> 32);
}

/* Row d of out: the minimum of a[p] * v + b[p] over v in values[o[d]:o[d + 1]]. */
HOT_LOOP static void affine_min_rows(const uint32_t *values, const int64_t *offsets, Py_ssize_t n,
                                     const uint32_t *a, const uint32_t *b, Py_ssize_t k,
                                     uint32_t *out) {
    for (Py_ssize_t d = 0; d < n; d++) {
        const uint32_t *v = values + offsets[d];
        Py_ssize_t m = (Py_ssize_t)(offsets[d + 1] - offsets[d]);
        uint32_t *row = out + d * k;
        Py_ssize_t p0 = 0;
        for (; p0 + LANES <= k; p0 += LANES) {
            uint32_t low[LANES], ka[LANES], kb[LANES];
            for (int j = 0; j < LANES; j++) {
                low[j] = UINT32_MAX;
                ka[j] = a[p0 + j];
                kb[j] = b[p0 + j];
            }
            for (Py_ssize_t i = 0; i < m; i++) {
                uint32_t h = v[i];
                for (int j = 0; j < LANES; j++) {
                    uint32_t x = ka[j] * h + kb[j];
                    low[j] = x < low[j] ? x : low[j];
                }
            }
            memcpy(row + p0, low, sizeof low);
        }
        for (Py_ssize_t p = p0; p < k; p++) {
            uint32_t low = UINT32_MAX;
            for (Py_ssize_t i = 0; i < m; i++) {
                uint32_t x = a[p] * v[i] + b[p];
                low = x < low ? x : low;
            }
            row[p] = low;
        }
    }
}

static PyObject *affine_min(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    (void)module;
    if (nargs != 6) {
        PyErr_SetString(PyExc_TypeError, "affine_min(values, offsets, a, b, out, wide)");
        return NULL;
    }
    int wide = PyObject_IsTrue(args[5]);
    if (wide < 0) return NULL;
    Py_buffer views[5];
    int got = 0;
    PyObject *result = NULL;
    uint32_t *mixed = NULL;
    int64_t *offsets = NULL;
    for (; got < 5; got++) {
        int flags = got == 4 ? PyBUF_WRITABLE : PyBUF_SIMPLE;
        if (PyObject_GetBuffer(args[got], &views[got], flags) < 0) goto done;
    }
    Py_ssize_t item = wide ? 8 : 4;
    Py_ssize_t count = views[0].len / item;
    Py_ssize_t n = views[1].len / 8 - 1;
    Py_ssize_t k = views[2].len / 4;
    if (views[0].len % item || views[1].len % 8 || n < 0 || views[2].len % 4 ||
        views[3].len != views[2].len || (k > 0 && n > PY_SSIZE_T_MAX / 4 / k) ||
        views[4].len != n * k * 4) {
        PyErr_SetString(PyExc_ValueError, "affine_min(): buffer sizes do not match");
        goto done;
    }
    /* a copy of the offsets, checked: the caller's array could change once
     * the GIL is released */
    offsets = PyMem_Malloc((size_t)(n + 1) * sizeof(int64_t));
    if (offsets == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    memcpy(offsets, views[1].buf, (size_t)(n + 1) * sizeof(int64_t));
    for (Py_ssize_t d = 0; d < n; d++) {
        if (offsets[d] < 0 || offsets[d] > offsets[d + 1] || offsets[d + 1] > count) {
            PyErr_SetString(PyExc_ValueError, "affine_min(): offsets out of order or range");
            goto done;
        }
    }
    const uint32_t *values = views[0].buf;
    if (wide) {
        mixed = PyMem_Malloc((size_t)(count ? count : 1) * sizeof(uint32_t));
        if (mixed == NULL) {
            PyErr_NoMemory();
            goto done;
        }
        const uint64_t *hashes = views[0].buf;
        for (Py_ssize_t i = 0; i < count; i++) mixed[i] = fmix64_high(hashes[i]);
        values = mixed;
    }
    Py_BEGIN_ALLOW_THREADS
    affine_min_rows(values, offsets, n, views[2].buf, views[3].buf, k, views[4].buf);
    Py_END_ALLOW_THREADS
    result = Py_None;
    Py_INCREF(result);
done:
    PyMem_Free(mixed);
    PyMem_Free(offsets);
    while (got-- > 0) PyBuffer_Release(&views[got]);
    return result;
}

static PyMethodDef methods[] = {
    {"word_shingles", (PyCFunction)(void (*)(void))word_shingles, METH_FASTCALL,
     "word_shingles(texts, ngram) -> (bytearray hashes, bytearray offsets)"},
    {"affine_min", (PyCFunction)(void (*)(void))affine_min, METH_FASTCALL,
     "affine_min(values, offsets, a, b, out, wide) -> None"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "normalize._chash",
    "The native core of the fast MinHash mode (see _chash.c).", -1, methods,
};

PyMODINIT_FUNC PyInit__chash(void) { return PyModule_Create(&module); }
