/* ze-enrollment-private.h: put a ZeEnrollment in a given state, for tests
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include "ze-enrollment.h"

G_BEGIN_DECLS

/* Each replaces whatever runs with the given outcome, as if the controller
 * had answered so. Only the UI tests use them. */
void _ze_enrollment_set_trust_required (ZeEnrollment  *self,
                                        ZeCertificate *leaf,
                                        GPtrArray     *cas);
void _ze_enrollment_set_step_state     (ZeEnrollment  *self,
                                        ZeEnrollStep   step,
                                        ZeStepState    state,
                                        gboolean       sent);
void _ze_enrollment_set_done           (ZeEnrollment  *self,
                                        ZeIdentity    *identity);
void _ze_enrollment_set_failed         (ZeEnrollment  *self,
                                        const GError  *error,
                                        gboolean       sent);

G_END_DECLS
