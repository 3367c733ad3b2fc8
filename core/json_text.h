/* JSON text of boxed SQL values: strings escaped as JSON, LIST as arrays, MAP/STRUCT as objects,
 * BYTES as base64 strings, TIMESTAMP/DATE/INTERVAL as quoted text, NaN/Infinity as null. Used by
 * the JSON-lines writer and wherever a nested value becomes text (CAST, CONCAT, JSON functions). */
#ifndef VELO_CORE_JSON_TEXT_H
#define VELO_CORE_JSON_TEXT_H

#include "core/strbuf.h"
#include "core/value.h"

void velo_base64_encode(const unsigned char *s, uint32_t n, velo_strbuf *out);
/* A JSON string literal (quotes included); invalid UTF-8 bytes become \ufffd. */
void velo_json_write_string(const char *s, uint32_t len, velo_strbuf *out);
void velo_json_write_value(const velo_value *v, velo_strbuf *out);
/* The JSON text of v, copied into the arena. */
velo_status velo_json_text(const velo_value *v, velo_arena *arena, velo_str *out, velo_error *err);

#endif
