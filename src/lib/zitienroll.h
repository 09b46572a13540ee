/* zitienroll.h: the core library, without GTK
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include "ze-types.h"
#include "ze-error.h"
#include "ze-format.h"
#include "ze-token.h"
