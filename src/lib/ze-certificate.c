/* ze-certificate.c: X.509 facts for people, CA bundles, chain checks
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "ze-certificate.h"
#include "ze-error.h"
#include "ze-format.h"
#include "ze-gnutls-private.h"

/* The largest GET /.well-known/est/cacerts body accepted: real ones are a few KiB. */
#define CA_BUNDLE_MAX_SIZE (1024 * 1024)

/* How many certificates a chain may have between the leaf and a trusted CA. */
#define CHAIN_MAX_DEPTH 16

struct _ZeCertificate
{
  GObject            parent_instance;

  GBytes            *der;
  GBytes            *spki;    /* SubjectPublicKeyInfo DER, or NULL if unreadable */
  gnutls_x509_crt_t  crt;
};

G_DEFINE_FINAL_TYPE (ZeCertificate, ze_certificate, G_TYPE_OBJECT)

static void
ze_certificate_finalize (GObject *object)
{
  ZeCertificate *self = (ZeCertificate *)object;

  g_clear_pointer (&self->der, g_bytes_unref);
  g_clear_pointer (&self->spki, g_bytes_unref);
  g_clear_pointer (&self->crt, gnutls_x509_crt_deinit);

  G_OBJECT_CLASS (ze_certificate_parent_class)->finalize (object);
}

static void
ze_certificate_class_init (ZeCertificateClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ze_certificate_finalize;
}

static void
ze_certificate_init (ZeCertificate *self)
{
}

static GBytes *
datum_to_bytes (gnutls_datum_t *datum)
{
  GBytes *bytes = g_bytes_new (datum->data, datum->size);

  gnutls_free (datum->data);
  datum->data = NULL;
  datum->size = 0;

  return bytes;
}

/* Takes ownership of @crt. */
static ZeCertificate *
certificate_new_take (gnutls_x509_crt_t crt)
{
  g_auto(gnutls_x509_crt_t) owned = crt;
  g_auto(gnutls_pubkey_t) pubkey = NULL;
  gnutls_datum_t der = { NULL, 0 };
  gnutls_datum_t spki = { NULL, 0 };
  ZeCertificate *self;

  if (gnutls_x509_crt_export2 (owned, GNUTLS_X509_FMT_DER, &der) < 0)
    return NULL;

  self = g_object_new (ZE_TYPE_CERTIFICATE, NULL);
  self->der = datum_to_bytes (&der);
  self->crt = g_steal_pointer (&owned);

  if (gnutls_pubkey_init (&pubkey) >= 0 &&
      gnutls_pubkey_import_x509 (pubkey, self->crt, 0) >= 0 &&
      gnutls_pubkey_export2 (pubkey, GNUTLS_X509_FMT_DER, &spki) >= 0)
    self->spki = datum_to_bytes (&spki);

  return self;
}

static void
set_certificate_invalid (GError **error)
{
  g_set_error_literal (error, ZE_ERROR, ZE_ERROR_CERTIFICATE_INVALID,
                       _("The certificate could not be read: it is not a valid X.509 "
                         "certificate. If it came from a file, check that you chose the right "
                         "one; if it came from the controller, tell your administrator."));
}

/**
 * ze_certificate_new_from_der:
 * @der: one DER-encoded X.509 certificate
 * @error: a location for a %ZE_ERROR_CERTIFICATE_INVALID error
 *
 * Returns: (transfer full) (nullable): the certificate
 */
ZeCertificate *
ze_certificate_new_from_der (GBytes  *der,
                             GError **error)
{
  g_auto(gnutls_x509_crt_t) crt = NULL;
  gnutls_datum_t datum;
  ZeCertificate *self;
  gsize len;

  g_return_val_if_fail (der != NULL, NULL);

  datum.data = (unsigned char *)g_bytes_get_data (der, &len);
  datum.size = (unsigned int)len;

  if (len == 0 || len > G_MAXUINT ||
      gnutls_x509_crt_init (&crt) < 0 ||
      gnutls_x509_crt_import (crt, &datum, GNUTLS_X509_FMT_DER) < 0 ||
      !(self = certificate_new_take (g_steal_pointer (&crt))))
    {
      set_certificate_invalid (error);
      return NULL;
    }

  return self;
}

/**
 * ze_certificate_new_from_pem:
 * @pem: PEM text
 * @len: the length of @pem, or -1 if it is nul-terminated
 * @error: a location for a %ZE_ERROR_CERTIFICATE_INVALID error
 *
 * Reads the first CERTIFICATE block of @pem; text around it is ignored.
 *
 * Returns: (transfer full) (nullable): the certificate
 */
ZeCertificate *
ze_certificate_new_from_pem (const char  *pem,
                             gssize       len,
                             GError     **error)
{
  g_auto(gnutls_x509_crt_t) crt = NULL;
  gnutls_datum_t datum;
  ZeCertificate *self;

  g_return_val_if_fail (pem != NULL, NULL);

  if (len < 0)
    len = strlen (pem);

  datum.data = (unsigned char *)pem;
  datum.size = (unsigned int)len;

  if (len == 0 || (gsize)len > G_MAXUINT ||
      gnutls_x509_crt_init (&crt) < 0 ||
      gnutls_x509_crt_import (crt, &datum, GNUTLS_X509_FMT_PEM) < 0 ||
      !(self = certificate_new_take (g_steal_pointer (&crt))))
    {
      set_certificate_invalid (error);
      return NULL;
    }

  return self;
}

/**
 * ze_certificate_list_new_from_pem:
 * @pem: PEM text with one or more CERTIFICATE blocks
 * @len: the length of @pem, or -1 if it is nul-terminated
 * @error: a location for a %ZE_ERROR_CERTIFICATE_INVALID error
 *
 * Reads every CERTIFICATE block of @pem, in order. Other blocks are skipped;
 * a damaged certificate block fails the whole list.
 *
 * Returns: (transfer full) (element-type ZeCertificate) (nullable): the
 *   certificates, never empty
 */
GPtrArray *
ze_certificate_list_new_from_pem (const char  *pem,
                                  gssize       len,
                                  GError     **error)
{
  g_autoptr(GPtrArray) list = NULL;
  gnutls_x509_crt_t *crts = NULL;
  unsigned int n_crts = 0;
  gnutls_datum_t datum;
  gboolean ok = TRUE;

  g_return_val_if_fail (pem != NULL, NULL);

  if (len < 0)
    len = strlen (pem);

  datum.data = (unsigned char *)pem;
  datum.size = (unsigned int)len;

  if (len == 0 || (gsize)len > G_MAXUINT ||
      gnutls_x509_crt_list_import2 (&crts, &n_crts, &datum, GNUTLS_X509_FMT_PEM, 0) < 0 ||
      n_crts == 0)
    {
      gnutls_free (crts);
      g_set_error_literal (error, ZE_ERROR, ZE_ERROR_CERTIFICATE_INVALID,
                           _("No certificate could be read from this text: it holds no "
                             "complete PEM certificate block, or one of its blocks is "
                             "damaged. If it came from a file, check that you chose the right "
                             "one."));
      return NULL;
    }

  list = g_ptr_array_new_full (n_crts, g_object_unref);

  for (unsigned int i = 0; i < n_crts; i++)
    {
      ZeCertificate *cert = NULL;

      if (ok && (cert = certificate_new_take (crts[i])) != NULL)
        g_ptr_array_add (list, cert);
      else
        {
          if (ok)  /* certificate_new_take() already released crts[i] */
            ok = FALSE;
          else
            gnutls_x509_crt_deinit (crts[i]);
        }
    }

  gnutls_free (crts);

  if (!ok)
    {
      set_certificate_invalid (error);
      return NULL;
    }

  return g_steal_pointer (&list);
}

/**
 * ze_certificate_get_der:
 * @self: a #ZeCertificate
 *
 * Returns: (transfer full): the DER encoding (unref it)
 */
GBytes *
ze_certificate_get_der (ZeCertificate *self)
{
  g_return_val_if_fail (ZE_IS_CERTIFICATE (self), NULL);

  return g_bytes_ref (self->der);
}

static void
append_pem_block (GString     *out,
                  const char  *label,
                  GBytes      *der)
{
  g_autofree char *b64 = NULL;
  gsize b64_len;
  gsize size;
  const guint8 *data = g_bytes_get_data (der, &size);

  b64 = g_base64_encode (data, size);
  b64_len = strlen (b64);

  g_string_append_printf (out, "-----BEGIN %s-----\n", label);
  for (gsize i = 0; i < b64_len; i += 64)
    {
      g_string_append_len (out, b64 + i, MIN (64, b64_len - i));
      g_string_append_c (out, '\n');
    }
  g_string_append_printf (out, "-----END %s-----\n", label);
}

/**
 * ze_certificate_to_pem:
 * @self: a #ZeCertificate
 *
 * Returns: (transfer full): one "CERTIFICATE" PEM block, ending with a newline
 */
char *
ze_certificate_to_pem (ZeCertificate *self)
{
  GString *out;

  g_return_val_if_fail (ZE_IS_CERTIFICATE (self), NULL);

  out = g_string_new (NULL);
  append_pem_block (out, "CERTIFICATE", self->der);

  return g_string_free (out, FALSE);
}

/**
 * ze_certificate_dup_fingerprint_hex:
 * @self: a #ZeCertificate
 *
 * Returns: (transfer full): the SHA-256 of the DER, as 64 lowercase hex digits
 */
char *
ze_certificate_dup_fingerprint_hex (ZeCertificate *self)
{
  g_return_val_if_fail (ZE_IS_CERTIFICATE (self), NULL);

  return g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, self->der);
}

/**
 * ze_certificate_dup_fingerprint_sha256:
 * @self: a #ZeCertificate
 *
 * Returns: (transfer full): the SHA-256 fingerprint as 32 uppercase pairs
 *   separated by colons, "AB:CD:…"
 */
char *
ze_certificate_dup_fingerprint_sha256 (ZeCertificate *self)
{
  g_autofree char *hex = NULL;
  GString *out;

  g_return_val_if_fail (ZE_IS_CERTIFICATE (self), NULL);

  hex = ze_certificate_dup_fingerprint_hex (self);
  out = g_string_sized_new (96);

  for (gsize i = 0; hex[i] != '\0'; i += 2)
    {
      if (i > 0)
        g_string_append_c (out, ':');
      g_string_append_c (out, g_ascii_toupper (hex[i]));
      g_string_append_c (out, g_ascii_toupper (hex[i + 1]));
    }

  return g_string_free (out, FALSE);
}

/**
 * ze_certificate_dup_fingerprint_short:
 * @self: a #ZeCertificate
 *
 * The form read aloud over the phone: the first 16 hex digits of the SHA-256
 * fingerprint, uppercase, in four groups of four, "AB12 CD34 EF56 7890".
 *
 * Returns: (transfer full): the short fingerprint
 */
char *
ze_certificate_dup_fingerprint_short (ZeCertificate *self)
{
  g_autofree char *hex = NULL;
  GString *out;

  g_return_val_if_fail (ZE_IS_CERTIFICATE (self), NULL);

  hex = ze_certificate_dup_fingerprint_hex (self);
  out = g_string_sized_new (20);

  for (gsize i = 0; i < 16; i++)
    {
      if (i > 0 && i % 4 == 0)
        g_string_append_c (out, ' ');
      g_string_append_c (out, g_ascii_toupper (hex[i]));
    }

  return g_string_free (out, FALSE);
}

static char *
dup_dn (ZeCertificate *self,
        gboolean       issuer)
{
  gnutls_datum_t dn = { NULL, 0 };
  char *ret;
  int rc;

  if (issuer)
    rc = gnutls_x509_crt_get_issuer_dn3 (self->crt, &dn, 0);
  else
    rc = gnutls_x509_crt_get_dn3 (self->crt, &dn, 0);

  if (rc < 0)
    return g_strdup ("");

  ret = g_strndup ((const char *)dn.data, dn.size);
  gnutls_free (dn.data);

  return ret;
}

/**
 * ze_certificate_dup_subject:
 * @self: a #ZeCertificate
 *
 * Returns: (transfer full): the subject as an RFC 4514 string, most specific
 *   part first ("CN=…,O=…"); empty if the certificate has no subject
 */
char *
ze_certificate_dup_subject (ZeCertificate *self)
{
  g_return_val_if_fail (ZE_IS_CERTIFICATE (self), NULL);

  return dup_dn (self, FALSE);
}

/**
 * ze_certificate_dup_issuer:
 * @self: a #ZeCertificate
 *
 * Returns: (transfer full): the issuer as an RFC 4514 string
 */
char *
ze_certificate_dup_issuer (ZeCertificate *self)
{
  g_return_val_if_fail (ZE_IS_CERTIFICATE (self), NULL);

  return dup_dn (self, TRUE);
}

/**
 * ze_certificate_get_not_before:
 * @self: a #ZeCertificate
 *
 * Returns: the start of the validity period, in unix seconds
 */
gint64
ze_certificate_get_not_before (ZeCertificate *self)
{
  g_return_val_if_fail (ZE_IS_CERTIFICATE (self), 0);

  return (gint64)gnutls_x509_crt_get_activation_time (self->crt);
}

/**
 * ze_certificate_get_not_after:
 * @self: a #ZeCertificate
 *
 * Returns: the end of the validity period, in unix seconds
 */
gint64
ze_certificate_get_not_after (ZeCertificate *self)
{
  g_return_val_if_fail (ZE_IS_CERTIFICATE (self), 0);

  return (gint64)gnutls_x509_crt_get_expiration_time (self->crt);
}

/* GnuTLS gives the OID as text, with or without its terminating nul. */
static gboolean
is_oid (const gnutls_datum_t *datum,
        const char           *oid)
{
  gsize len = strlen (oid);

  return (datum->size == len || (datum->size == len + 1 && datum->data[len] == '\0')) &&
         memcmp (datum->data, oid, len) == 0;
}

/* The most specific (last) common name as plain text, unescaped, or NULL. */
static char *
dup_common_name (gnutls_x509_crt_t crt)
{
  gnutls_x509_dn_t dn = NULL;
  char *cn = NULL;

  if (gnutls_x509_crt_get_subject (crt, &dn) < 0)
    return NULL;

  for (int irdn = 0; irdn < 64; irdn++)
    {
      gnutls_x509_ava_st ava;

      if (gnutls_x509_dn_get_rdn_ava (dn, irdn, 0, &ava) < 0)
        break;

      for (int iava = 0; gnutls_x509_dn_get_rdn_ava (dn, irdn, iava, &ava) >= 0; iava++)
        {
          const char *value = (const char *)ava.value.data;
          gsize len = ava.value.size;

          /* UTF8String, PrintableString, IA5String */
          if (is_oid (&ava.oid, GNUTLS_OID_X520_COMMON_NAME) &&
              (ava.value_tag == 12 || ava.value_tag == 19 || ava.value_tag == 22) &&
              len > 0 && memchr (value, '\0', len) == NULL &&
              g_utf8_validate (value, len, NULL))
            {
              g_free (cn);
              cn = g_strndup (value, len);
            }
        }
    }

  return cn;
}

/**
 * ze_certificate_dup_host_names:
 * @self: a #ZeCertificate
 *
 * The DNS names and IP addresses of the subjectAltName extension, in order
 * (IPv4 dotted, IPv6 compressed like "::1"), or the common name if the
 * certificate has neither.
 *
 * Returns: (transfer full): a %NULL-terminated array, maybe empty
 */
GStrv
ze_certificate_dup_host_names (ZeCertificate *self)
{
  g_autoptr(GStrvBuilder) builder = NULL;
  gboolean any = FALSE;

  g_return_val_if_fail (ZE_IS_CERTIFICATE (self), NULL);

  builder = g_strv_builder_new ();

  for (unsigned int seq = 0; ; seq++)
    {
      guint8 buf[1024];
      size_t size = sizeof buf - 1;
      int type;

      type = gnutls_x509_crt_get_subject_alt_name (self->crt, seq, buf, &size, NULL);

      if (type == GNUTLS_E_SHORT_MEMORY_BUFFER)
        continue;
      if (type < 0)
        break;

      if (type == GNUTLS_SAN_DNSNAME)
        {
          buf[size] = '\0';
          if (strlen ((const char *)buf) == size && g_utf8_validate ((const char *)buf, size, NULL))
            {
              g_strv_builder_add (builder, (const char *)buf);
              any = TRUE;
            }
        }
      else if (type == GNUTLS_SAN_IPADDRESS && (size == 4 || size == 16))
        {
          g_autoptr(GInetAddress) address = NULL;
          g_autofree char *text = NULL;

          address = g_inet_address_new_from_bytes (buf, size == 4 ? G_SOCKET_FAMILY_IPV4
                                                                  : G_SOCKET_FAMILY_IPV6);
          text = g_inet_address_to_string (address);
          g_strv_builder_add (builder, text);
          any = TRUE;
        }
    }

  if (!any)
    {
      g_autofree char *cn = dup_common_name (self->crt);

      if (cn != NULL)
        g_strv_builder_add (builder, cn);
    }

  return g_strv_builder_end (builder);
}

/**
 * ze_certificate_is_ca:
 * @self: a #ZeCertificate
 *
 * Returns: %TRUE if the basicConstraints extension says this is a CA
 */
gboolean
ze_certificate_is_ca (ZeCertificate *self)
{
  g_return_val_if_fail (ZE_IS_CERTIFICATE (self), FALSE);

  return gnutls_x509_crt_get_ca_status (self->crt, NULL) > 0;
}

static gboolean
crt_matches_host (gnutls_x509_crt_t  crt,
                  const char        *host)
{
  g_autofree char *bare = NULL;
  gsize len = strlen (host);

  /* An IPv6 literal as it appears in a URL: "[::1]" */
  if (len > 2 && host[0] == '[' && host[len - 1] == ']')
    host = bare = g_strndup (host + 1, len - 2);

  if (*host == '\0')
    return FALSE;

  return gnutls_x509_crt_check_hostname2 (crt, host, 0) != 0;
}

/**
 * ze_certificate_matches_host:
 * @self: a #ZeCertificate
 * @host: a DNS name or an IP address (an IPv6 address may be in brackets)
 *
 * Checks @host against the certificate's names as a TLS client does
 * (RFC 6125: wildcards in the leftmost label, IP addresses against IP SANs).
 *
 * Returns: %TRUE if the certificate is valid for @host
 */
gboolean
ze_certificate_matches_host (ZeCertificate *self,
                             const char    *host)
{
  g_return_val_if_fail (ZE_IS_CERTIFICATE (self), FALSE);
  g_return_val_if_fail (host != NULL, FALSE);

  return crt_matches_host (self->crt, host);
}

/**
 * ze_certificate_has_public_key_of:
 * @self: a #ZeCertificate
 * @public_key_der: a SubjectPublicKeyInfo in DER, as from
 *   ze_key_pair_get_public_key_der()
 *
 * Returns: %TRUE if @self certifies that public key
 */
gboolean
ze_certificate_has_public_key_of (ZeCertificate *self,
                                  GBytes        *public_key_der)
{
  g_return_val_if_fail (ZE_IS_CERTIFICATE (self), FALSE);
  g_return_val_if_fail (public_key_der != NULL, FALSE);

  return self->spki != NULL && g_bytes_equal (self->spki, public_key_der);
}

/**
 * ze_certificate_equal:
 * @a: a #ZeCertificate
 * @b: a #ZeCertificate
 *
 * Returns: %TRUE if both have the same DER encoding
 */
gboolean
ze_certificate_equal (ZeCertificate *a,
                      ZeCertificate *b)
{
  g_return_val_if_fail (ZE_IS_CERTIFICATE (a), FALSE);
  g_return_val_if_fail (ZE_IS_CERTIFICATE (b), FALSE);

  return a == b || g_bytes_equal (a->der, b->der);
}

/**
 * ze_fingerprint_normalize:
 * @text: a SHA-256 fingerprint typed or pasted by a person
 * @hex_out: (out) (optional): the fingerprint as 64 lowercase hex digits
 *
 * Accepts 64 hex digits in any case, with or without colons or spaces
 * between them, and surrounding whitespace.
 *
 * Returns: %TRUE if @text is a SHA-256 fingerprint
 */
gboolean
ze_fingerprint_normalize (const char  *text,
                          char       **hex_out)
{
  char hex[65];
  gsize n = 0;

  g_return_val_if_fail (text != NULL, FALSE);

  if (hex_out != NULL)
    *hex_out = NULL;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == ':' || g_ascii_isspace (*p))
        continue;

      if (!g_ascii_isxdigit (*p) || n == 64)
        return FALSE;

      hex[n++] = g_ascii_tolower (*p);
    }

  if (n != 64)
    return FALSE;

  hex[n] = '\0';

  if (hex_out != NULL)
    *hex_out = g_strdup (hex);

  return TRUE;
}

/* Standard base64 (RFC 4648 §4) with padding; whitespace between the
 * characters is skipped, anything else outside the alphabet is refused. */
static GBytes *
base64_decode_strict (const char *text,
                      gsize       len)
{
  g_autofree guint8 *out = NULL;
  guint32 acc = 0;
  gsize n = 0;
  gsize symbols = 0;
  gsize padding = 0;
  int bits = 0;

  out = g_malloc (len / 4 * 3 + 3);

  for (gsize i = 0; i < len; i++)
    {
      char c = text[i];
      int v;

      if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
        continue;

      if (c == '=')
        {
          if (++padding > 2)
            return NULL;
          symbols++;
          continue;
        }

      /* nothing but whitespace or more padding after padding */
      if (padding > 0)
        return NULL;

      if (c >= 'A' && c <= 'Z')
        v = c - 'A';
      else if (c >= 'a' && c <= 'z')
        v = c - 'a' + 26;
      else if (c >= '0' && c <= '9')
        v = c - '0' + 52;
      else if (c == '+')
        v = 62;
      else if (c == '/')
        v = 63;
      else
        return NULL;

      symbols++;
      acc = (acc << 6) | (guint32)v;
      bits += 6;

      if (bits >= 8)
        {
          bits -= 8;
          out[n++] = (guint8)((acc >> bits) & 0xff);
        }
    }

  if (symbols == 0 || symbols % 4 != 0)
    return NULL;

  return g_bytes_new_take (g_steal_pointer (&out), n);
}

static void
set_bundle_invalid (GError     **error,
                    const char  *why)
{
  g_set_error (error, ZE_ERROR, ZE_ERROR_CA_BUNDLE_INVALID,
               /* Translators: %s says what is wrong, e.g. "it is not base64 text" */
               _("The controller’s list of certificate authorities could not be read: %s. "
                 "The address may not belong to an OpenZiti controller, or something between "
                 "you and it changed the answer. Check the address, or tell your administrator."),
               why);
}

/**
 * ze_ca_bundle_parse_pkcs7_base64:
 * @body: the body of `GET /.well-known/est/cacerts`
 * @error: a location for a %ZE_ERROR_CA_BUNDLE_INVALID error
 *
 * Decodes the controller's CA bundle: standard base64 (in lines of any
 * width, `\n` or `\r\n`) of a DER PKCS #7 certs-only SignedData. Keeps the
 * CA certificates, in order, without duplicates, as the controller does.
 *
 * Returns: (transfer full) (element-type ZeCertificate) (nullable): the CA
 *   certificates, never empty
 */
GPtrArray *
ze_ca_bundle_parse_pkcs7_base64 (GBytes  *body,
                                 GError **error)
{
  g_autoptr(GPtrArray) cas = NULL;
  g_autoptr(GBytes) der = NULL;
  g_auto(gnutls_pkcs7_t) pkcs7 = NULL;
  gnutls_datum_t datum;
  const char *text;
  gsize len;
  int n_certs;

  g_return_val_if_fail (body != NULL, NULL);

  text = g_bytes_get_data (body, &len);

  if (len == 0)
    {
      set_bundle_invalid (error, _("the controller sent an empty answer"));
      return NULL;
    }

  if (len > CA_BUNDLE_MAX_SIZE)
    {
      set_bundle_invalid (error, _("the answer is larger than 1 MiB, far more than any real list"));
      return NULL;
    }

  if (!(der = base64_decode_strict (text, len)))
    {
      set_bundle_invalid (error, _("it is not base64 text, as the enrollment protocol requires"));
      return NULL;
    }

  datum.data = (unsigned char *)g_bytes_get_data (der, &len);
  datum.size = (unsigned int)len;

  if (gnutls_pkcs7_init (&pkcs7) < 0 ||
      gnutls_pkcs7_import (pkcs7, &datum, GNUTLS_X509_FMT_DER) < 0 ||
      (n_certs = gnutls_pkcs7_get_crt_count (pkcs7)) < 0)
    {
      set_bundle_invalid (error, _("it is not a PKCS #7 certificate bundle"));
      return NULL;
    }

  cas = g_ptr_array_new_with_free_func (g_object_unref);

  for (int i = 0; i < n_certs; i++)
    {
      g_autoptr(ZeCertificate) cert = NULL;
      g_autoptr(GBytes) cert_der = NULL;
      gnutls_datum_t raw = { NULL, 0 };
      gboolean seen = FALSE;

      if (gnutls_pkcs7_get_crt_raw2 (pkcs7, i, &raw) < 0)
        {
          set_bundle_invalid (error, _("one of its certificates is damaged"));
          return NULL;
        }

      cert_der = datum_to_bytes (&raw);

      if (!(cert = ze_certificate_new_from_der (cert_der, NULL)))
        {
          set_bundle_invalid (error, _("one of its certificates is damaged"));
          return NULL;
        }

      if (!ze_certificate_is_ca (cert))
        continue;

      for (guint j = 0; j < cas->len && !seen; j++)
        seen = ze_certificate_equal (g_ptr_array_index (cas, j), cert);

      if (!seen)
        g_ptr_array_add (cas, g_steal_pointer (&cert));
    }

  if (cas->len == 0)
    {
      set_bundle_invalid (error, _("it holds no certificate authority, so nothing could vouch "
                                   "for the controller"));
      return NULL;
    }

  return g_steal_pointer (&cas);
}

/**
 * ze_ca_bundle_to_pem:
 * @cas: (element-type ZeCertificate): certificates
 *
 * Returns: (transfer full): the certificates as concatenated PEM blocks, the
 *   identity's `id.ca`
 */
char *
ze_ca_bundle_to_pem (GPtrArray *cas)
{
  GString *out;

  g_return_val_if_fail (cas != NULL, NULL);

  out = g_string_new (NULL);

  for (guint i = 0; i < cas->len; i++)
    {
      ZeCertificate *cert = g_ptr_array_index (cas, i);

      g_return_val_if_fail (ZE_IS_CERTIFICATE (cert), g_string_free (out, FALSE));
      append_pem_block (out, "CERTIFICATE", cert->der);
    }

  return g_string_free (out, FALSE);
}

static gboolean
is_valid_at (ZeCertificate *cert,
             gint64         now)
{
  return ze_certificate_get_not_before (cert) <= now &&
         now <= ze_certificate_get_not_after (cert);
}

/* Finds who issued @cert among @candidates (by name and key identifier,
 * as GnuTLS built the chain), preferring one that is valid at @now. */
static ZeCertificate *
find_issuer (ZeCertificate *cert,
             GPtrArray     *candidates,
             GPtrArray     *path,
             gint64         now)
{
  ZeCertificate *found = NULL;

  if (candidates == NULL)
    return NULL;

  for (guint i = 0; i < candidates->len; i++)
    {
      ZeCertificate *candidate = g_ptr_array_index (candidates, i);

      if (g_ptr_array_find_with_equal_func (path, candidate,
                                            (GEqualFunc)ze_certificate_equal, NULL) ||
          !gnutls_x509_crt_check_issuer (cert->crt, candidate->crt))
        continue;

      if (is_valid_at (candidate, now))
        return candidate;

      if (found == NULL)
        found = candidate;
    }

  return found;
}

static char *
describe_certificate (ZeCertificate *cert)
{
  char *cn = dup_common_name (cert->crt);

  return cn != NULL ? cn : ze_certificate_dup_subject (cert);
}

static gboolean
check_validity (GPtrArray  *path,
                gint64      now,
                GError    **error)
{
  for (guint i = 0; i < path->len; i++)
    {
      ZeCertificate *cert = g_ptr_array_index (path, i);
      gint64 not_before = ze_certificate_get_not_before (cert);
      gint64 not_after = ze_certificate_get_not_after (cert);
      g_autofree char *when = NULL;
      g_autofree char *date = NULL;
      g_autofree char *name = NULL;

      if (not_before <= now && now <= not_after)
        continue;

      if (now > not_after)
        {
          when = ze_format_relative_time (not_after, now);
          date = ze_format_utc_date (not_after);
        }
      else
        {
          when = ze_format_relative_time (not_before, now);
          date = ze_format_utc_date (not_before);
        }

      if (i == 0 && now > not_after)
        g_set_error (error, ZE_ERROR, ZE_ERROR_CERTIFICATE_EXPIRED,
                     /* Translators: the first %s is like "3 days ago", the second a date */
                     _("The controller’s certificate expired %s (%s), so the connection to it "
                       "cannot be trusted. Check that this computer’s date and time are right; "
                       "if they are, ask your administrator to renew the certificate."),
                     when, date);
      else if (i == 0)
        g_set_error (error, ZE_ERROR, ZE_ERROR_CERTIFICATE_EXPIRED,
                     /* Translators: the first %s is like "in 3 days", the second a date */
                     _("The controller’s certificate only becomes valid %s (%s), so the "
                       "connection to it cannot be trusted yet. Check that this computer’s "
                       "date and time are right; if they are, tell your administrator."),
                     when, date);
      else if (now > not_after)
        {
          name = describe_certificate (cert);
          g_set_error (error, ZE_ERROR, ZE_ERROR_CERTIFICATE_EXPIRED,
                       /* Translators: “%s” is a certificate authority’s name, then
                        * "3 days ago" and a date */
                       _("The certificate authority “%s” that vouches for the controller "
                         "expired %s (%s), so the connection cannot be trusted. Check that this "
                         "computer’s date and time are right; if they are, tell your "
                         "administrator."),
                       name, when, date);
        }
      else
        {
          name = describe_certificate (cert);
          g_set_error (error, ZE_ERROR, ZE_ERROR_CERTIFICATE_EXPIRED,
                       /* Translators: “%s” is a certificate authority’s name, then
                        * "in 3 days" and a date */
                       _("The certificate authority “%s” that vouches for the controller only "
                         "becomes valid %s (%s), so the connection cannot be trusted yet. Check "
                         "that this computer’s date and time are right; if they are, tell your "
                         "administrator."),
                       name, when, date);
        }

      return FALSE;
    }

  return TRUE;
}

/**
 * ze_certificate_verify_chain:
 * @leaf: the controller's certificate
 * @intermediates: (element-type ZeCertificate) (nullable): other certificates
 *   the server sent, in any order
 * @cas: (element-type ZeCertificate): the trusted certificate authorities
 * @host: (nullable): the host @leaf must be valid for: a DNS name or an IP
 *   address (an IPv6 address may be in brackets)
 * @now: the time to check validity at, in unix seconds
 * @error: a location for a %ZE_ERROR error
 *
 * Checks, in this order, that @leaf chains to one of @cas (through
 * @intermediates if needed), that every certificate on that path is valid at
 * @now, and that @leaf is valid for @host.
 *
 * Returns: %TRUE if @leaf can be trusted; otherwise %FALSE with
 *   %ZE_ERROR_CHAIN_UNTRUSTED, %ZE_ERROR_CERTIFICATE_EXPIRED or
 *   %ZE_ERROR_HOST_MISMATCH
 */
gboolean
ze_certificate_verify_chain (ZeCertificate  *leaf,
                             GPtrArray      *intermediates,
                             GPtrArray      *cas,
                             const char     *host,
                             gint64          now,
                             GError        **error)
{
  gnutls_x509_trust_list_t trust = NULL;
  g_autoptr(GPtrArray) path = NULL;
  g_autofree gnutls_x509_crt_t *chain = NULL;
  ZeCertificate *cur;
  unsigned int status = 0;
  guint n_chain = 0;
  int rc;

  g_return_val_if_fail (ZE_IS_CERTIFICATE (leaf), FALSE);
  g_return_val_if_fail (cas != NULL, FALSE);

  for (guint i = 0; i < cas->len; i++)
    g_return_val_if_fail (ZE_IS_CERTIFICATE (g_ptr_array_index (cas, i)), FALSE);
  for (guint i = 0; intermediates != NULL && i < intermediates->len; i++)
    g_return_val_if_fail (ZE_IS_CERTIFICATE (g_ptr_array_index (intermediates, i)), FALSE);

  /* 1. Does it chain to one of the CAs? Times are checked below, against @now. */
  if (gnutls_x509_trust_list_init (&trust, 0) < 0)
    g_error ("%s: out of memory", G_STRFUNC);   /* GLib's policy: OOM aborts */

  for (guint i = 0; i < cas->len; i++)
    {
      ZeCertificate *ca = g_ptr_array_index (cas, i);
      gnutls_x509_crt_t copy = NULL;
      gnutls_datum_t datum;
      gsize size;

      datum.data = (unsigned char *)g_bytes_get_data (ca->der, &size);
      datum.size = (unsigned int)size;

      /* The trust list owns what it is given, so it gets its own copies. */
      if (gnutls_x509_crt_init (&copy) < 0)
        continue;
      if (gnutls_x509_crt_import (copy, &datum, GNUTLS_X509_FMT_DER) < 0 ||
          gnutls_x509_trust_list_add_cas (trust, &copy, 1, 0) != 1)
        gnutls_x509_crt_deinit (copy);
    }

  chain = g_new0 (gnutls_x509_crt_t, 1 + (intermediates ? intermediates->len : 0));
  chain[n_chain++] = leaf->crt;
  for (guint i = 0; intermediates != NULL && i < intermediates->len; i++)
    {
      ZeCertificate *cert = g_ptr_array_index (intermediates, i);

      if (!ze_certificate_equal (cert, leaf))
        chain[n_chain++] = cert->crt;
    }

  rc = gnutls_x509_trust_list_verify_crt2 (trust, chain, n_chain, NULL, 0,
                                           (GNUTLS_VERIFY_DISABLE_TIME_CHECKS |
                                            GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS),
                                           &status, NULL);
  gnutls_x509_trust_list_deinit (trust, 1);

  if (rc < 0 || status != 0)
    {
      g_debug ("Chain verification failed: rc %d, status 0x%x", rc, status);

      if (rc >= 0 && (status & GNUTLS_CERT_INSECURE_ALGORITHM) != 0)
        g_set_error_literal (error, ZE_ERROR, ZE_ERROR_CHAIN_UNTRUSTED,
                             _("The controller’s certificate is signed with an algorithm that is "
                               "no longer secure, so the connection to it cannot be trusted. "
                               "Tell your administrator; the certificate must be replaced."));
      else
        g_set_error_literal (error, ZE_ERROR, ZE_ERROR_CHAIN_UNTRUSTED,
                             _("The controller’s certificate was not issued by the certificate "
                               "authority it publishes, so the connection to it cannot be "
                               "trusted. Someone may be intercepting it, or the controller is "
                               "set up wrongly. Do not enroll; tell your administrator."));
      return FALSE;
    }

  /* 2. Is everything on the path valid at @now? */
  path = g_ptr_array_new ();
  g_ptr_array_add (path, leaf);

  for (cur = leaf; path->len <= CHAIN_MAX_DEPTH; )
    {
      ZeCertificate *issuer;

      /* A CA ends the path; the leaf itself may be one of the CAs. */
      if (g_ptr_array_find_with_equal_func (cas, cur, (GEqualFunc)ze_certificate_equal, NULL))
        break;

      if ((issuer = find_issuer (cur, cas, path, now)) != NULL)
        {
          g_ptr_array_add (path, issuer);
          break;
        }

      if ((issuer = find_issuer (cur, intermediates, path, now)) == NULL)
        break;

      g_ptr_array_add (path, issuer);
      cur = issuer;
    }

  if (!check_validity (path, now, error))
    return FALSE;

  /* 3. Is it the certificate of this host? */
  if (host != NULL && !crt_matches_host (leaf->crt, host))
    {
      g_auto(GStrv) names = ze_certificate_dup_host_names (leaf);
      g_autofree char *list = g_strjoinv (", ", names);

      if (names[0] == NULL)
        g_set_error (error, ZE_ERROR, ZE_ERROR_HOST_MISMATCH,
                     _("The controller’s certificate is not valid for “%s”: it names no host "
                       "at all. Tell your administrator; the certificate must be replaced."),
                     host);
      else
        g_set_error (error, ZE_ERROR, ZE_ERROR_HOST_MISMATCH,
                     /* Translators: the first %s is a host name, the second a list of them */
                     _("The controller’s certificate is not valid for “%s”: it is only valid "
                       "for %s. The token may use an address the certificate does not cover, "
                       "or someone may be intercepting the connection. Tell your "
                       "administrator."),
                     host, list);
      return FALSE;
    }

  return TRUE;
}
