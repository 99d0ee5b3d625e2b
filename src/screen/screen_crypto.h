/*
 * screen_crypto.h - cryptocurrency addresses of listed entities (watchman
 * parity, docs/screening.md "Crypto addresses"): OFAC lists them in the
 * remarks as "Digital Currency Address - XBT 1ABC...", which the OFAC
 * importer keeps whole in `notes`; FtM sources give them as `publicKey`
 * (CryptoWallet) or `cryptoWallets`. The index adds them to the entity's
 * identifiers, so a query giving one (yente `publicKey`, `cryptoWallets`,
 * or any identifier property) matches exactly.
 */
#ifndef PU_SCREEN_CRYPTO_H
#define PU_SCREEN_CRYPTO_H

#include <stddef.h>

#include "ftm/ftm.h"

/* Longest address kept (Monero's integrated addresses are 106 characters). */
#define SCREEN_CRYPTO_ADDR_MAX 128

/* Call cb(addr, len, ctx) for every address in text written as OFAC
 * writes them ("Digital Currency Address - <CURRENCY> <ADDRESS>", the
 * label in any case, items separated by ';'). Addresses shorter than 20 or
 * longer than SCREEN_CRYPTO_ADDR_MAX characters, or with characters other
 * than ASCII letters and digits, are skipped. cb returning non-zero stops
 * the scan and is returned; 0 otherwise. */
int screen_crypto_scan(const char *text, int (*cb)(const char *addr, size_t len, void *ctx), void *ctx);

/* The same over an entity: its `notes` scanned as above, and the values
 * of `publicKey` and `cryptoWallets` taken as they are. */
int screen_crypto_each(const ftm_entity *e, int (*cb)(const char *addr, size_t len, void *ctx), void *ctx);

#endif
