/*
 * pu_io.h - bounded readers for outside input: CSV (over libcsv) and lines
 * (for JSON lines). Both track line numbers so errors can say "file:line".
 *
 * Ownership: a reader owns the rows/lines it returns; they stay valid until
 * the next call to *_next or *_close. Copy what you keep.
 * Caps: a record or line longer than `max_record` bytes is PU_ERR_LIMIT for
 * that record only, reported ONCE at the line where it starts; the reader
 * skips it and the next call continues on the following line.
 *
 * The input discipline (docs/input.md), the same for every importer:
 *  - a UTF-8 byte-order mark at the start is dropped (never data);
 *  - CRLF line ends are accepted (the CR is not part of the last field/line);
 *  - with check_utf8 (CSV) / pu_lines_check_utf8 (lines), invalid UTF-8 is
 *    PU_ERR_INVALID for that record/line only, with where =
 *    "file:line:column" (column in characters). Opt-in only because some
 *    engines still check UTF-8 per field themselves (issue #16); every new
 *    reader turns it on;
 *  - a missing file or a directory fails at open with a message naming it;
 *  - CSV: when the first record is one field that holds ';', tab, '|' (or
 *    ',') instead of the expected delimiter, that is a whole-file
 *    PU_ERR_INVALID naming file:line and both delimiters;
 *  - CSV: a file that ends inside a quoted field is truncated: PU_ERR_INVALID
 *    and pu_csv_truncated() is 1 (the partial record is not returned);
 *  - header checks (pu_csv_header): required columns, duplicate columns,
 *    unknown columns (error or named warning, never silently dropped).
 */
#ifndef PU_IO_H
#define PU_IO_H

#include <stdint.h>
#include <stdio.h>
#include "common/pu.h"

#define PU_IO_DEFAULT_MAX_RECORD (1u << 20) /* 1 MiB */
#define PU_CSV_DEFAULT_MAX_FIELDS 4096

typedef struct pu_csv_opts {
    char delim;            /* default ',' */
    size_t max_record;     /* bytes per record, default PU_IO_DEFAULT_MAX_RECORD */
    size_t max_fields;     /* fields per record, default PU_CSV_DEFAULT_MAX_FIELDS */
    int strict_quotes;     /* 1: malformed quoting is an error (CSV_STRICT) */
    int keep_blank_rows;   /* 0 (default): rows with no content, or only a Ctrl-Z
                              (0x1A) end-of-file marker, are skipped */
    int check_utf8;        /* 1: refuse a record with invalid UTF-8 (file:line:column) */
    int single_column;     /* 1: a one-field first record is legitimate: no
                              delimiter detection */
} pu_csv_opts;

typedef struct pu_csv_row {
    size_t n;              /* number of fields */
    char **fields;         /* NUL-terminated field values (never NULL) */
    size_t *lens;          /* byte length of each field */
    uint64_t line;         /* 1-based line on which the record starts */
} pu_csv_row;

typedef struct pu_csv pu_csv;

/* Open `path` for reading as outside input ("-" is NOT handled here): *out
 * is an fopen'ed stream the caller fcloses. Errors: PU_ERR_IO with where =
 * path and a message saying "no such file", "is a directory; expected a
 * file" or the system's reason. Use this for every input file a command reads. */
int pu_input_open(const char *path, FILE **out, pu_err *err);

/* Open `path` ("-" is stdin). opts may be NULL for defaults.
 * Errors: PU_ERR_IO (missing, a directory, cannot open), PU_ERR_NOMEM. */
int pu_csv_open(const char *path, const pu_csv_opts *opts, pu_csv **out, pu_err *err);
/* Read from memory (not copied: data must outlive the reader). For tests/fuzzing. */
int pu_csv_open_mem(const char *data, size_t n, const pu_csv_opts *opts, pu_csv **out, pu_err *err);
/* Next record into *row; *row is NULL at end of input.
 * Errors: PU_ERR_INVALID (malformed quoting, invalid UTF-8 with
 * file:line:column, wrong delimiter, truncated file), PU_ERR_LIMIT (record
 * too large / too many fields; the record is skipped), PU_ERR_IO. After
 * PU_ERR_INVALID/PU_ERR_LIMIT the caller may call again to continue; after a
 * whole-file error (wrong delimiter, truncated) the next call returns end. */
int pu_csv_next(pu_csv *r, const pu_csv_row **row, pu_err *err);
/* 1 after a whole-file error (wrong delimiter, truncated): the file as a
 * whole must be refused, not counted as one bad record. */
int pu_csv_fatal(const pu_csv *r);
/* 1 when the input ended inside a quoted field (cut off); see pu_csv_next. */
int pu_csv_truncated(const pu_csv *r);
/* 1 when a UTF-8 BOM was dropped from the start of the input. */
int pu_csv_had_bom(const pu_csv *r);
/* Name used in messages: the path, or "<memory>". */
const char *pu_csv_name(const pu_csv *r);
/* Name the input in messages (a reader over memory that holds a file's
 * content, an upload): errors then say "name:line". Copied. */
void pu_csv_set_name(pu_csv *r, const char *name);
/* Bytes consumed so far (for progress). */
uint64_t pu_csv_offset(const pu_csv *r);
void pu_csv_close(pu_csv *r);

/* Write one CSV field (RFC 4180): quoted only when it holds a comma, quote,
 * CR/LF or leading/trailing space; NULL writes nothing. */
void pu_csv_write_field(FILE *out, const char *s);

/* Index of `name` in a header row (exact, case-insensitive), or -1. */
int pu_csv_col(const pu_csv_row *header, const char *name);

/* ---- header checks ---- */
#define PU_COL_REQUIRED 1u  /* the column must be present */

/* One expected column. `name` is the canonical name; `aliases` is NULL or a
 * '|'-separated list of other accepted spellings ("dob|birthdate"). Matching
 * is case-insensitive and ignores surrounding spaces. */
typedef struct pu_col {
    const char *name;
    const char *aliases;
    unsigned flags;
} pu_col;

enum pu_unknown_cols {
    PU_UNKNOWN_ERROR = 0, /* an unknown column refuses the file */
    PU_UNKNOWN_WARN = 1   /* an unknown column is a named warning (*warn) */
};

/*
 * Map a header row onto `cols`: idx[i] is the header position of cols[i] or
 * -1 (idx has ncols entries). `file` names the input in messages (use
 * pu_csv_name). Checks, in order, all reported in one message:
 *  - a duplicate column (same name or alias twice): PU_ERR_INVALID naming
 *    the column and both positions;
 *  - required columns missing: PU_ERR_INVALID naming every missing one and
 *    listing the expected columns (err->field = the first missing one);
 *  - unknown columns: with PU_UNKNOWN_ERROR, PU_ERR_INVALID naming them and
 *    the accepted columns; with PU_UNKNOWN_WARN, PU_OK and *warn (may be
 *    NULL; then the caller did not want it) receives a malloc'ed message
 *    "file:line: unknown column(s) 'DOB' ignored; expected ..." (caller
 *    frees), or NULL when there were none.
 */
int pu_csv_header(const char *file, const pu_csv_row *header, const pu_col *cols, size_t ncols,
                  int unknown, int *idx, char **warn, pu_err *err);

/* ---- UTF-8 ---- */
typedef struct pu_u8state { int need; unsigned char lo, hi; } pu_u8state;
/* Byte offset of the first invalid UTF-8 sequence in s[0..n), or (size_t)-1
 * when all valid; *col (may be NULL) gets its 1-based column in characters.
 * A sequence cut off at the end is invalid (offset n). */
size_t pu_utf8_find_invalid(const char *s, size_t n, size_t *col);

/* ---- lines ---- */
typedef struct pu_lines pu_lines;
int pu_lines_open(const char *path, size_t max_line, pu_lines **out, pu_err *err);
int pu_lines_open_mem(const char *data, size_t n, size_t max_line, pu_lines **out, pu_err *err);
/* Next line without its "\n" / "\r\n" into *line (NUL-terminated, length *len,
 * 1-based number *lineno). *line is NULL at end. A line longer than max_line is
 * PU_ERR_LIMIT (skipped; call again to continue). */
int pu_lines_next(pu_lines *r, const char **line, size_t *len, uint64_t *lineno, pu_err *err);
const char *pu_lines_name(const pu_lines *r);
/* Name the input in messages (see pu_csv_set_name). Copied. */
void pu_lines_set_name(pu_lines *r, const char *name);
/* on = 1: a line with invalid UTF-8 is PU_ERR_INVALID with file:line:column
 * (the line is skipped). Off by default (see the discipline above). */
void pu_lines_check_utf8(pu_lines *r, int on);
/* 1 when a UTF-8 BOM was dropped from the start of the input. */
int pu_lines_had_bom(const pu_lines *r);
uint64_t pu_lines_offset(const pu_lines *r);
void pu_lines_close(pu_lines *r);

/* Size of a regular file in bytes, or 0 when unknown (stdin, pipes). */
uint64_t pu_file_size(const char *path);

#endif
