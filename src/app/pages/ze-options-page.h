/* ze-options-page.h: the identity's name, where the key goes, method inputs
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include "ze-page.h"

G_BEGIN_DECLS

#define ZE_TYPE_OPTIONS_PAGE (ze_options_page_get_type ())

G_DECLARE_FINAL_TYPE (ZeOptionsPage, ze_options_page, ZE, OPTIONS_PAGE, ZePage)

/* The places a key can go, in the order of the "Keep the key in" list. */
typedef enum
{
  ZE_KEY_PLACE_KEYRING,
  ZE_KEY_PLACE_FILE,
  ZE_KEY_PLACE_PKCS11,
} ZeKeyPlace;

void ze_options_page_set_settings         (ZeOptionsPage     *self,
                                           GSettings         *settings);
void ze_options_page_set_library          (ZeOptionsPage     *self,
                                           ZeIdentityLibrary *library);
void ze_options_page_set_file             (ZeOptionsPage     *self,
                                           const char        *path);
void ze_options_page_set_certificate_file (ZeOptionsPage     *self,
                                           GFile             *file);
void ze_options_page_set_key_file         (ZeOptionsPage     *self,
                                           GFile             *file);

G_END_DECLS
