/* The native core of the normalization passes: one pass over each text that
 * maps every character through the plan's composed table, deletes and expands,
 * squeezes spaces, and says what the string passes in Python still need to do
 * (a candidate elongation run, a character that may leave the text out of
 * NFC, a character a contextual pass rewrites).
 *
 * Optional: normalize/_native.py falls back to the numpy engine when this
 * module was not built. Every rule here is also in normalize/_engine.py and
 * normalize/_reference.py; the tests check that all three agree.
 *
 * map_text(text, table, classes, expansions, mode, abort, ccc) -> (str | None, int)
 * map_texts(texts, table, classes, expansions, mode, abort, ccc) -> (list[str | None], bytes)
 *   table       bytes: 0x110000 native-endian uint32, code point -> code point,
 *               0xFFFFFFFF deleted, 0xFFFFFFFE expanded (see expansions),
 *               0xFFFFFFFD deleted but stop first when abort is on
 *   classes     bytes: 0x110000 class bits per code point: 1 an Arabic letter
 *               elongation may shorten, 2 a wildcard (a later string pass may
 *               change it: the text may hold a run), 4 an emoji, 8 may leave
 *               the text out of NFC, 16 a contextual string pass rewrites it,
 *               32 a joiner deleted unless it stands between two emoji (ZWJ)
 *   expansions  dict: code point -> the str it becomes (already mapped)
 *   mode        0 keep whitespace; 1 runs of U+0020 -> one, none at either end
 *               or next to \n or \r; 2 the same with no break but the ends
 *   abort       true: a text holding a 0xFFFFFFFD character, or a class-255
 *               character of ccc, is not mapped (the caller composes it first)
 *   ccc         None, or bytes: 0x110000 canonical combining classes of the
 *               marks NFC only reorders, 0 for the characters NFC leaves
 *               alone, 255 for the others. With it, each run of marks is put
 *               in canonical order before mapping (NFC, for such a text), and
 *               flag 8 means a mark out of order or a class-255 character in
 *               the output.
 * Each text gets flags: 1 it may hold a run of three equal letters, 4 it was
 * not mapped (abort: its output is None), 8 it may not be NFC, 16 it holds a
 * class-16 character.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define DELETED 0xFFFFFFFFu
#define EXPANDED 0xFFFFFFFEu
#define ABORTING 0xFFFFFFFDu
#define CODE_POINTS 0x110000

#define C_LETTER 1
#define C_WILD 2
#define C_EMOJI 4
#define C_NFC_RISK 8
#define C_PASS 16
#define C_JOINER 32

/* A text's flags share the class bits they come from. */
#define F_RUN 1
#define F_ABORTED 4
#define F_NFC C_NFC_RISK
#define F_PASS C_PASS
#define ALWAYS_INLINE static inline __attribute__((always_inline))

typedef struct {
    const uint32_t *table;
    const unsigned char *classes;
    const unsigned char *ccc; /* or NULL */
    PyObject *expansions;
    int mode;
    int abort;
} Plan;

typedef struct {
    Py_UCS4 *buf;
    Py_ssize_t len, cap;
    int pending;   /* a space waits for the next character that is no break */
    int flags;
    Py_UCS4 last;  /* the last character written and how many times in a row */
    int repeats;
    Py_UCS4 bits;  /* every character written, or-ed: bounds the largest */
    unsigned char previous; /* the class of the last mapped character */
    int joiner;             /* a joiner waits for the character after it */
    int joins;              /* ... and stands after an emoji */
    Py_UCS4 joiner_char;
    unsigned char cc;       /* the combining class of the last character written */
    Py_UCS4 *sorted;        /* the input with its marks in order, when they were not */
    Py_ssize_t sorted_cap;
} Out;

/* Make room for ``need`` characters in ``*buf`` (``*cap`` held so far),
 * at least doubling it: 0, or -1 with MemoryError set. */
static int reserve(Py_UCS4 **buf, Py_ssize_t *cap, Py_ssize_t need) {
    if (need <= *cap) return 0;
    Py_ssize_t size = *cap * 2;
    if (size < need) size = need;
    Py_UCS4 *grown = PyMem_Realloc(*buf, (size_t)size * sizeof(Py_UCS4));
    if (grown == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    *buf = grown;
    *cap = size;
    return 0;
}

static int grow(Out *o, Py_ssize_t more) {
    return reserve(&o->buf, &o->cap, o->len + more);
}

/* Append one character (map_one keeps the room); note what it asks of the
 * string passes, and whether it ends three equal letters (a wildcard, which
 * a string pass may turn into a letter or delete, counts as a run). */
ALWAYS_INLINE void put(const Plan *p, Out *o, Py_UCS4 c) {
    o->buf[o->len++] = c;
    o->bits |= c;
    unsigned char k = p->classes[c];
    o->flags |= k & (C_NFC_RISK | C_PASS);
    if (p->ccc != NULL) {
        unsigned char cc = p->ccc[c];
        if (cc == 255 || (cc != 0 && cc < o->cc)) o->flags |= F_NFC;
        o->cc = cc;
    }
    if (c == o->last) {
        if (++o->repeats >= 3 && (k & C_LETTER)) o->flags |= F_RUN;
    } else {
        o->last = c;
        o->repeats = 1;
        if (k & C_WILD) o->flags |= F_RUN;
    }
}

/* Append one character, squeezing spaces per the mode. */
ALWAYS_INLINE void squeeze(const Plan *p, Out *o, Py_UCS4 c) {
    if (p->mode == 0) {
        put(p, o, c);
        return;
    }
    if (c == ' ') {
        o->pending = 1;
        return;
    }
    int brk = p->mode == 1 && (c == '\n' || c == '\r');
    if (o->pending) {
        o->pending = 0;
        if (!brk && o->len > 0) {
            Py_UCS4 last = o->buf[o->len - 1];
            if (!(p->mode == 1 && (last == '\n' || last == '\r'))) put(p, o, ' ');
        }
    }
    put(p, o, c);
}

/* Append one mapped character; a joiner is kept only between two emoji, as
 * the mapped text has them (before spaces are squeezed). */
ALWAYS_INLINE void emit(const Plan *p, Out *o, Py_UCS4 c) {
    unsigned char k = p->classes[c];
    if (o->joiner) {
        o->joiner = 0;
        if (o->joins && (k & C_EMOJI)) squeeze(p, o, o->joiner_char);
    }
    if (k & C_JOINER) {
        o->joiner = 1;
        o->joins = (o->previous & C_EMOJI) != 0;
        o->joiner_char = c;
    } else {
        squeeze(p, o, c);
    }
    o->previous = k;
}

/* Emit the expansion of cp, with room for it and ``rest`` more input
 * characters (each writes at most one). */
static int expand(const Plan *p, Out *o, Py_UCS4 cp, Py_ssize_t rest) {
    PyObject *key = PyLong_FromUnsignedLong(cp);
    if (key == NULL) return -1;
    PyObject *value = PyDict_GetItemWithError(p->expansions, key);
    Py_DECREF(key);
    if (value == NULL) {
        if (!PyErr_Occurred()) {
            char name[16];
            snprintf(name, sizeof name, "U+%04X", (unsigned int)cp);
            PyErr_Format(PyExc_KeyError, "no expansion for %s", name);
        }
        return -1;
    }
    if (!PyUnicode_Check(value)) {
        PyErr_SetString(PyExc_TypeError, "expansions must be str");
        return -1;
    }
    int kind = PyUnicode_KIND(value);
    const void *data = PyUnicode_DATA(value);
    Py_ssize_t n = PyUnicode_GET_LENGTH(value);
    if (grow(o, n + 1 + rest) < 0) return -1;
    for (Py_ssize_t i = 0; i < n; i++) emit(p, o, PyUnicode_READ(kind, data, i));
    return 0;
}

/* Sort a run of marks by combining class, keeping the order of equals. */
static void sort_run(const Plan *p, Py_UCS4 *run, Py_ssize_t n) {
    for (Py_ssize_t i = 1; i < n; i++) {
        Py_UCS4 c = run[i];
        unsigned char cc = p->ccc[c];
        Py_ssize_t j = i;
        while (j > 0 && p->ccc[run[j - 1]] > cc) {
            run[j] = run[j - 1];
            j--;
        }
        run[j] = c;
    }
}

/* NFC for a text of characters NFC leaves alone and marks it only reorders:
 * 0 in order, 1 o->sorted holds the text with each run of marks sorted,
 * 2 some other character needs the full algorithm, -1 error set. */
static int canonical_order(const Plan *p, Out *o, int kind, const void *data, Py_ssize_t n) {
    unsigned char last = 0;
    int disorder = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        unsigned char cc = p->ccc[PyUnicode_READ(kind, data, i)];
        if (cc == 255) return 2;
        if (cc != 0 && cc < last) disorder = 1;
        last = cc;
    }
    if (!disorder) return 0;
    if (reserve(&o->sorted, &o->sorted_cap, n) < 0) return -1;
    for (Py_ssize_t i = 0; i < n; i++) o->sorted[i] = PyUnicode_READ(kind, data, i);
    for (Py_ssize_t i = 0; i < n;) {
        if (p->ccc[o->sorted[i]] == 0) {
            i++;
            continue;
        }
        Py_ssize_t j = i;
        while (j < n && p->ccc[o->sorted[j]] != 0) j++;
        sort_run(p, o->sorted + i, j - i);
        i = j;
    }
    return 1;
}

/* Map one text into o (from empty). 0: done, 1: aborted, -1: error set. */
static int map_one(const Plan *p, Out *o, PyObject *text) {
#if PY_VERSION_HEX < 0x030C0000
    if (PyUnicode_READY(text) < 0) return -1;
#endif
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    if (p->ccc != NULL && p->abort) {
        int order = canonical_order(p, o, kind, data, n);
        if (order < 0) return -1;
        if (order == 2) {
            o->flags = F_ABORTED;
            return 1;
        }
        if (order == 1) {
            kind = PyUnicode_4BYTE_KIND;
            data = o->sorted;
        }
    }
    o->cc = 0;
    o->len = 0;
    o->pending = 0;
    o->flags = 0;
    o->last = 0xFFFFFFFFu;
    o->repeats = 0;
    o->bits = 0;
    o->previous = 0;
    o->joiner = 0;
    /* Room: each input character writes at most one (a space held back is
     * written with the next character instead of its own) but an expansion,
     * which makes room for itself and the rest. */
    if (grow(o, n + 1) < 0) return -1;
#define MAP_LOOP(TYPE)                                                          \
    {                                                                           \
        const TYPE *chars = (const TYPE *)data;                                 \
        for (Py_ssize_t i = 0; i < n; i++) {                                    \
            uint32_t v = p->table[chars[i]];                                    \
            if (v < ABORTING) {                                                 \
                emit(p, o, (Py_UCS4)v);                                         \
            } else if (v == EXPANDED) {                                         \
                if (expand(p, o, chars[i], n - i) < 0) return -1;               \
            } else if (v == ABORTING && p->abort) {                             \
                o->flags = F_ABORTED;                                           \
                return 1;                                                       \
            }                                                                   \
        }                                                                       \
    }
    switch (kind) {
    case PyUnicode_1BYTE_KIND: MAP_LOOP(Py_UCS1) break;
    case PyUnicode_2BYTE_KIND: MAP_LOOP(Py_UCS2) break;
    default: MAP_LOOP(Py_UCS4) break;
    }
#undef MAP_LOOP
    return 0;
}

static PyObject *result_text(const Out *o) {
    PyObject *text = PyUnicode_New(o->len, o->bits > 0x10FFFF ? 0x10FFFF : o->bits);
    if (text == NULL) return NULL;
    void *data = PyUnicode_DATA(text);
    switch (PyUnicode_KIND(text)) {
    case PyUnicode_1BYTE_KIND:
        for (Py_ssize_t i = 0; i < o->len; i++) ((Py_UCS1 *)data)[i] = (Py_UCS1)o->buf[i];
        break;
    case PyUnicode_2BYTE_KIND:
        for (Py_ssize_t i = 0; i < o->len; i++) ((Py_UCS2 *)data)[i] = (Py_UCS2)o->buf[i];
        break;
    default:
        memcpy(data, o->buf, (size_t)o->len * sizeof(Py_UCS4));
    }
    return text;
}

/* Read the arguments after the text(s) into p. 0 or -1 with an error set. */
static int read_plan(Plan *p, PyObject *const *args, Py_ssize_t nargs, const char *name) {
    if (nargs != 7) {
        PyErr_Format(PyExc_TypeError, "%s() takes 7 arguments", name);
        return -1;
    }
    p->ccc = NULL;
    if (args[6] != Py_None) {
        if (!PyBytes_Check(args[6]) || PyBytes_GET_SIZE(args[6]) != CODE_POINTS) {
            PyErr_Format(PyExc_ValueError, "%s(): ccc must be None or bytes of 0x110000", name);
            return -1;
        }
        p->ccc = (const unsigned char *)PyBytes_AS_STRING(args[6]);
    }
    if (!PyBytes_Check(args[1]) || !PyBytes_Check(args[2]) || !PyDict_Check(args[3])) {
        PyErr_Format(PyExc_TypeError, "%s(): table and classes must be bytes, expansions a dict",
                     name);
        return -1;
    }
    if (PyBytes_GET_SIZE(args[1]) != CODE_POINTS * 4 ||
        PyBytes_GET_SIZE(args[2]) != CODE_POINTS) {
        PyErr_Format(PyExc_ValueError, "%s(): table or classes of the wrong size", name);
        return -1;
    }
    long mode = PyLong_AsLong(args[4]);
    if (mode == -1 && PyErr_Occurred()) return -1;
    if (mode < 0 || mode > 2) {
        PyErr_Format(PyExc_ValueError, "%s(): mode must be 0, 1 or 2", name);
        return -1;
    }
    int abort = PyObject_IsTrue(args[5]);
    if (abort < 0) return -1;
    p->table = (const uint32_t *)PyBytes_AS_STRING(args[1]);
    p->classes = (const unsigned char *)PyBytes_AS_STRING(args[2]);
    p->expansions = args[3];
    p->mode = (int)mode;
    p->abort = abort;
    return 0;
}

static PyObject *map_text(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    (void)module;
    Plan p;
    if (read_plan(&p, args, nargs, "map_text") < 0) return NULL;
    if (!PyUnicode_Check(args[0])) {
        PyErr_SetString(PyExc_TypeError, "map_text(): the text must be a str");
        return NULL;
    }
    Out o = {0};
    PyObject *result = NULL;
    int status = map_one(&p, &o, args[0]);
    if (status == 1) {
        result = Py_BuildValue("(Oi)", Py_None, o.flags);
    } else if (status == 0) {
        PyObject *text = result_text(&o);
        if (text != NULL) result = Py_BuildValue("(Ni)", text, o.flags);
    }
    PyMem_Free(o.buf);
    PyMem_Free(o.sorted);
    return result;
}

static PyObject *map_texts(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    (void)module;
    Plan p;
    if (read_plan(&p, args, nargs, "map_texts") < 0) return NULL;
    if (!PyList_Check(args[0])) {
        PyErr_SetString(PyExc_TypeError, "map_texts(): the texts must be a list");
        return NULL;
    }
    /* its own references to the texts: Python code that a dict lookup runs
     * (a key's __eq__) may change the list while a text is read */
    PyObject *texts = PyList_AsTuple(args[0]);
    if (texts == NULL) return NULL;
    Py_ssize_t count = PyTuple_GET_SIZE(texts);
    PyObject *outs = PyList_New(count);
    PyObject *flags = PyBytes_FromStringAndSize(NULL, count);
    Out o = {0};
    if (outs == NULL || flags == NULL) goto fail;
    char *marks = PyBytes_AS_STRING(flags);
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *text = PyTuple_GET_ITEM(texts, i);
        if (!PyUnicode_Check(text)) {
            PyErr_Format(PyExc_TypeError, "map_texts(): item %zd is not a str", i);
            goto fail;
        }
        int status = map_one(&p, &o, text);
        if (status < 0) goto fail;
        PyObject *out;
        if (status == 1) {
            out = Py_None;
            Py_INCREF(out);
        } else if ((out = result_text(&o)) == NULL) {
            goto fail;
        }
        PyList_SET_ITEM(outs, i, out);
        marks[i] = (char)o.flags;
    }
    PyMem_Free(o.buf);
    PyMem_Free(o.sorted);
    Py_DECREF(texts);
    return Py_BuildValue("(NN)", outs, flags);
fail:
    PyMem_Free(o.buf);
    PyMem_Free(o.sorted);
    Py_DECREF(texts);
    Py_XDECREF(outs);
    Py_XDECREF(flags);
    return NULL;
}

static PyMethodDef methods[] = {
    {"map_text", (PyCFunction)(void (*)(void))map_text, METH_FASTCALL,
     "map_text(text, table, classes, expansions, mode, abort, ccc) -> (str | None, int)"},
    {"map_texts", (PyCFunction)(void (*)(void))map_texts, METH_FASTCALL,
     "map_texts(texts, table, classes, expansions, mode, abort, ccc) -> (list[str | None], bytes)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "normalize._cmap",
    "The native core of the normalization passes (see _cmap.c).", -1, methods,
};

PyMODINIT_FUNC PyInit__cmap(void) { return PyModule_Create(&module); }
