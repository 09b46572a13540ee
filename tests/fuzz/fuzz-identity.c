/* fuzz-identity.c: libFuzzer target for the identity records read back
 *
 * Any bytes, as a record in the identities folder: parse the JSON, load the
 * identity, and write it back out.
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <stdint.h>

#include <json-glib/json-glib.h>

#include "zitienroll.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(ZeIdentity) identity = NULL;
  g_autoptr(JsonNode) again = NULL;
  g_autofree char *text = NULL;

  if (!json_parser_load_from_data (parser, (const char *)data, size, NULL))
    return 0;

  if (!(identity = ze_identity_new_from_record_json (json_parser_get_root (parser), NULL)))
    return 0;

  (void)ze_identity_name_is_valid (ze_identity_get_name (identity));
  again = ze_identity_to_record_json (identity);
  text = ze_json_to_string (again);

  return 0;
}
