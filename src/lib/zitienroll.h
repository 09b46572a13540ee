/* zitienroll.h: the core library, without a toolkit
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include "ze-types.h"
#include "ze-certificate.h"
#include "ze-controller.h"
#include "ze-enroller.h"
#include "ze-error.h"
#include "ze-file-store.h"
#include "ze-format.h"
#include "ze-identity.h"
#include "ze-identity-library.h"
#include "ze-identity-store.h"
#include "ze-key-pair.h"
#include "ze-pkcs11-store.h"
#include "ze-secret-store.h"
#include "ze-token.h"
