/*
 * pu_io.h - bounded readers for outside input: CSV (over libcsv) and lines
 * (for JSON lines). Both track line numbers so errors can say "file:line".
 *
 * Ownership: a reader owns the rows/lines it returns; they stay valid until
 * the next call to *_next or *_close. Copy what you keep.
 * Caps: a record or line longer than `max_record` bytes is PU_ERR_LIMIT for
 * that record only; the reader skips it and the next call continues after it.
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
} pu_csv_opts;

typedef struct pu_csv_row {
    size_t n;              /* number of fields */
    char **fields;         /* NUL-terminated field values (never NULL) */
    size_t *lens;          /* byte length of each field */
    uint64_t line;         /* 1-based line on which the record starts */
} pu_csv_row;

typedef struct pu_csv pu_csv;

/* Open `path` ("-" is stdin). opts may be NULL for defaults.
 * Errors: PU_ERR_IO (cannot open), PU_ERR_NOMEM. */
int pu_csv_open(const char *path, const pu_csv_opts *opts, pu_csv **out, pu_err *err);
/* Read from memory (not copied: data must outlive the reader). For tests/fuzzing. */
int pu_csv_open_mem(const char *data, size_t n, const pu_csv_opts *opts, pu_csv **out, pu_err *err);
/* Next record into *row; *row is NULL at end of input.
 * Errors: PU_ERR_INVALID (malformed quoting, with line), PU_ERR_LIMIT (record
 * too large / too many fields; the record is skipped), PU_ERR_IO. After
 * PU_ERR_INVALID/PU_ERR_LIMIT the caller may call again to continue. */
int pu_csv_next(pu_csv *r, const pu_csv_row **row, pu_err *err);
/* Name used in messages: the path, or "<memory>". */
const char *pu_csv_name(const pu_csv *r);
/* Bytes consumed so far (for progress). */
uint64_t pu_csv_offset(const pu_csv *r);
void pu_csv_close(pu_csv *r);

/* Write one CSV field (RFC 4180): quoted only when it holds a comma, quote,
 * CR/LF or leading/trailing space; NULL writes nothing. */
void pu_csv_write_field(FILE *out, const char *s);

/* Index of `name` in a header row (exact, case-insensitive), or -1. */
int pu_csv_col(const pu_csv_row *header, const char *name);

/* ---- lines ---- */
typedef struct pu_lines pu_lines;
int pu_lines_open(const char *path, size_t max_line, pu_lines **out, pu_err *err);
int pu_lines_open_mem(const char *data, size_t n, size_t max_line, pu_lines **out, pu_err *err);
/* Next line without its "\n" / "\r\n" into *line (NUL-terminated, length *len,
 * 1-based number *lineno). *line is NULL at end. A line longer than max_line is
 * PU_ERR_LIMIT (skipped; call again to continue). */
int pu_lines_next(pu_lines *r, const char **line, size_t *len, uint64_t *lineno, pu_err *err);
const char *pu_lines_name(const pu_lines *r);
uint64_t pu_lines_offset(const pu_lines *r);
void pu_lines_close(pu_lines *r);

/* Size of a regular file in bytes, or 0 when unknown (stdin, pipes). */
uint64_t pu_file_size(const char *path);

#endif
