/* ze-tc-pki.c: the test controller's PKI (CAs, server certificates, CSR signing)
 *
 * Copyright 2026 The Ziti Enroll authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "ze-tc-private.h"

#define CA_LIFETIME      (10 * 365 * 24 * 60 * 60)
#define LEAF_LIFETIME    (365 * 24 * 60 * 60)
#define CLIENT_LIFETIME  (365 * 24 * 60 * 60)
#define SERIAL_SIZE      20

G_DEFINE_QUARK (ze-tc-error-quark, ze_tc_error)

typedef struct
{
  const char         *common_name;
  const char         *organization;
  gboolean            is_ca;
  int                 path_len;
  unsigned int        key_usage;
  const char         *key_purpose;
  const char * const *dns_names;
  const char * const *ip_addresses;
  const char         *uri;
  gint64              lifetime;
} CertSpec;

static const struct
{
  const char  *name;
  ZeTcKeyType  type;
} key_types[] = {
  { "ec-p256", ZE_TC_KEY_TYPE_EC_P256 },
  { "ec-p384", ZE_TC_KEY_TYPE_EC_P384 },
  { "rsa-2048", ZE_TC_KEY_TYPE_RSA_2048 },
  { "rsa-4096", ZE_TC_KEY_TYPE_RSA_4096 },
};

static gboolean
set_gnutls_error (GError     **error,
                  int          rc,
                  const char  *what)
{
  g_set_error (error, ZE_TC_ERROR, ZE_TC_ERROR_CRYPTO, "%s: %s", what, gnutls_strerror (rc));
  return FALSE;
}

gboolean
ze_tc_key_type_parse (const char  *text,
                      ZeTcKeyType *out_type)
{
  for (guint i = 0; i < G_N_ELEMENTS (key_types); i++)
    {
      if (g_strcmp0 (text, key_types[i].name) == 0)
        {
          *out_type = key_types[i].type;
          return TRUE;
        }
    }

  return FALSE;
}

const char *
ze_tc_key_type_to_string (ZeTcKeyType key_type)
{
  for (guint i = 0; i < G_N_ELEMENTS (key_types); i++)
    {
      if (key_types[i].type == key_type)
        return key_types[i].name;
    }

  g_return_val_if_reached (NULL);
}

char *
ze_tc_short_id (void)
{
  static const char alphabet[] =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  guint8 random[10];
  char *id = g_malloc (sizeof random + 1);

  gnutls_rnd (GNUTLS_RND_NONCE, random, sizeof random);
  for (guint i = 0; i < sizeof random; i++)
    id[i] = alphabet[random[i] % (sizeof alphabet - 1)];
  id[sizeof random] = '\0';

  return id;
}

char *
ze_tc_base64_lines (const guint8 *data,
                    gsize         len)
{
  g_autofree char *b64 = g_base64_encode (data, len);
  gsize b64_len = strlen (b64);
  GString *out = g_string_sized_new (b64_len + b64_len / 64 + 1);

  for (gsize i = 0; i < b64_len; i += 64)
    {
      if (i > 0)
        g_string_append_c (out, '\n');
      g_string_append_len (out, b64 + i, MIN (64, b64_len - i));
    }

  return g_string_free (out, FALSE);
}

void
ze_tc_credential_free (ZeTcCredential *cred)
{
  if (cred == NULL)
    return;

  g_clear_pointer (&cred->crt, gnutls_x509_crt_deinit);
  g_clear_pointer (&cred->key, gnutls_x509_privkey_deinit);
  g_clear_pointer (&cred->der, g_bytes_unref);
  g_clear_pointer (&cred->pem, g_free);
  g_clear_pointer (&cred->sha1_hex, g_free);
  g_free (cred);
}

/* Fills der, pem and sha1_hex from cred->crt. */
static gboolean
credential_complete (ZeTcCredential  *cred,
                     GError         **error)
{
  g_auto(gnutls_datum_t) der = { NULL, 0 };
  g_auto(gnutls_datum_t) pem = { NULL, 0 };
  int rc;

  if ((rc = gnutls_x509_crt_export2 (cred->crt, GNUTLS_X509_FMT_DER, &der)) < 0 ||
      (rc = gnutls_x509_crt_export2 (cred->crt, GNUTLS_X509_FMT_PEM, &pem)) < 0)
    return set_gnutls_error (error, rc, "Could not export a certificate");

  cred->der = g_bytes_new (der.data, der.size);
  cred->pem = g_strndup ((const char *)pem.data, pem.size);
  cred->sha1_hex = g_compute_checksum_for_data (G_CHECKSUM_SHA1, der.data, der.size);

  return TRUE;
}

static gnutls_digest_algorithm_t
digest_for_key (gnutls_x509_privkey_t key)
{
  unsigned int bits = 0;
  int algo = gnutls_x509_privkey_get_pk_algorithm2 (key, &bits);

  if (algo == GNUTLS_PK_ECDSA && bits > 256)
    return bits > 384 ? GNUTLS_DIG_SHA512 : GNUTLS_DIG_SHA384;

  return GNUTLS_DIG_SHA256;
}

static gboolean
generate_key (ZeTcKeyType             key_type,
              gnutls_x509_privkey_t  *out_key,
              GError                **error)
{
  g_auto(gnutls_x509_privkey_t) key = NULL;
  gnutls_pk_algorithm_t algo;
  unsigned int bits;
  int rc;

  switch (key_type)
    {
    case ZE_TC_KEY_TYPE_EC_P256:
      algo = GNUTLS_PK_ECDSA;
      bits = GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP256R1);
      break;
    case ZE_TC_KEY_TYPE_EC_P384:
      algo = GNUTLS_PK_ECDSA;
      bits = GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP384R1);
      break;
    case ZE_TC_KEY_TYPE_RSA_2048:
      algo = GNUTLS_PK_RSA;
      bits = 2048;
      break;
    case ZE_TC_KEY_TYPE_RSA_4096:
      algo = GNUTLS_PK_RSA;
      bits = 4096;
      break;
    default:
      g_return_val_if_reached (FALSE);
    }

  if ((rc = gnutls_x509_privkey_init (&key)) < 0 ||
      (rc = gnutls_x509_privkey_generate (key, algo, bits, 0)) < 0)
    return set_gnutls_error (error, rc, "Could not generate a private key");

  *out_key = g_steal_pointer (&key);
  return TRUE;
}

static gboolean
set_random_serial (gnutls_x509_crt_t   crt,
                   GError            **error)
{
  guint8 serial[SERIAL_SIZE];
  int rc;

  /* A positive integer of up to 159 bits, like the Go controller's. */
  if ((rc = gnutls_rnd (GNUTLS_RND_NONCE, serial, sizeof serial)) < 0)
    return set_gnutls_error (error, rc, "Could not generate a serial number");
  serial[0] &= 0x7f;
  if (serial[0] == 0)
    serial[0] = 0x01;

  if ((rc = gnutls_x509_crt_set_serial (crt, serial, sizeof serial)) < 0)
    return set_gnutls_error (error, rc, "Could not set the serial number");

  return TRUE;
}

static gboolean
add_ip_san (gnutls_x509_crt_t   crt,
            const char         *text,
            GError            **error)
{
  g_autoptr(GInetAddress) address = g_inet_address_new_from_string (text);
  int rc;

  if (address == NULL)
    {
      g_set_error (error, ZE_TC_ERROR, ZE_TC_ERROR_INVALID, "Not an IP address: %s", text);
      return FALSE;
    }

  rc = gnutls_x509_crt_set_subject_alt_name (crt, GNUTLS_SAN_IPADDRESS,
                                             g_inet_address_to_bytes (address),
                                             g_inet_address_get_native_size (address),
                                             GNUTLS_FSAN_APPEND);
  if (rc < 0)
    return set_gnutls_error (error, rc, "Could not add an IP address");

  return TRUE;
}

/* Builds and signs one certificate for a new key of @key_type.
 * @issuer NULL makes it self-signed. */
static ZeTcCredential *
make_credential (const CertSpec  *spec,
                 ZeTcKeyType      key_type,
                 ZeTcCredential  *issuer,
                 GError         **error)
{
  g_autoptr(ZeTcCredential) cred = g_new0 (ZeTcCredential, 1);
  g_auto(gnutls_privkey_t) signer = NULL;
  guint8 key_id[64];
  size_t key_id_size = sizeof key_id;
  time_t now = time (NULL);
  int rc;

  if (!generate_key (key_type, &cred->key, error))
    return NULL;

  if ((rc = gnutls_x509_crt_init (&cred->crt)) < 0 ||
      (rc = gnutls_x509_crt_set_version (cred->crt, 3)) < 0 ||
      (rc = gnutls_x509_crt_set_key (cred->crt, cred->key)) < 0 ||
      (rc = gnutls_x509_crt_set_activation_time (cred->crt, now - 60 * 60)) < 0 ||
      (rc = gnutls_x509_crt_set_expiration_time (cred->crt, now + spec->lifetime)) < 0 ||
      (rc = gnutls_x509_crt_set_dn_by_oid (cred->crt, GNUTLS_OID_X520_ORGANIZATION_NAME, 0,
                                           spec->organization, strlen (spec->organization))) < 0 ||
      (rc = gnutls_x509_crt_set_dn_by_oid (cred->crt, GNUTLS_OID_X520_COMMON_NAME, 0,
                                           spec->common_name, strlen (spec->common_name))) < 0 ||
      (rc = gnutls_x509_crt_set_basic_constraints (cred->crt, spec->is_ca, spec->path_len)) < 0 ||
      (rc = gnutls_x509_crt_set_key_usage (cred->crt, spec->key_usage)) < 0)
    {
      set_gnutls_error (error, rc, "Could not build a certificate");
      return NULL;
    }

  if (!set_random_serial (cred->crt, error))
    return NULL;

  if (spec->key_purpose != NULL &&
      (rc = gnutls_x509_crt_set_key_purpose_oid (cred->crt, spec->key_purpose, 0)) < 0)
    {
      set_gnutls_error (error, rc, "Could not set the key purpose");
      return NULL;
    }

  for (guint i = 0; spec->dns_names != NULL && spec->dns_names[i] != NULL; i++)
    {
      rc = gnutls_x509_crt_set_subject_alt_name (cred->crt, GNUTLS_SAN_DNSNAME,
                                                 spec->dns_names[i], strlen (spec->dns_names[i]),
                                                 GNUTLS_FSAN_APPEND);
      if (rc < 0)
        {
          set_gnutls_error (error, rc, "Could not add a DNS name");
          return NULL;
        }
    }

  for (guint i = 0; spec->ip_addresses != NULL && spec->ip_addresses[i] != NULL; i++)
    {
      if (!add_ip_san (cred->crt, spec->ip_addresses[i], error))
        return NULL;
    }

  if (spec->uri != NULL &&
      (rc = gnutls_x509_crt_set_subject_alt_name (cred->crt, GNUTLS_SAN_URI, spec->uri,
                                                  strlen (spec->uri), GNUTLS_FSAN_APPEND)) < 0)
    {
      set_gnutls_error (error, rc, "Could not add a URI");
      return NULL;
    }

  if ((rc = gnutls_x509_crt_get_key_id (cred->crt, GNUTLS_KEYID_USE_SHA1, key_id, &key_id_size)) < 0 ||
      (rc = gnutls_x509_crt_set_subject_key_id (cred->crt, key_id, key_id_size)) < 0)
    {
      set_gnutls_error (error, rc, "Could not set the subject key id");
      return NULL;
    }

  if (issuer != NULL)
    {
      unsigned int critical = 0;

      key_id_size = sizeof key_id;
      if ((rc = gnutls_x509_crt_get_subject_key_id (issuer->crt, key_id, &key_id_size, &critical)) < 0 ||
          (rc = gnutls_x509_crt_set_authority_key_id (cred->crt, key_id, key_id_size)) < 0)
        {
          set_gnutls_error (error, rc, "Could not set the authority key id");
          return NULL;
        }
    }

  if ((rc = gnutls_privkey_init (&signer)) < 0 ||
      (rc = gnutls_privkey_import_x509 (signer, issuer != NULL ? issuer->key : cred->key, 0)) < 0 ||
      (rc = gnutls_x509_crt_privkey_sign (cred->crt,
                                          issuer != NULL ? issuer->crt : cred->crt,
                                          signer,
                                          digest_for_key (issuer != NULL ? issuer->key : cred->key),
                                          0)) < 0)
    {
      set_gnutls_error (error, rc, "Could not sign a certificate");
      return NULL;
    }

  if (!credential_complete (cred, error))
    return NULL;

  return g_steal_pointer (&cred);
}

gboolean
ze_tc_write_file (const char  *path,
                  const char  *data,
                  gssize       len,
                  int          mode,
                  GError     **error)
{
  return g_file_set_contents_full (path, data, len, G_FILE_SET_CONTENTS_CONSISTENT, mode, error);
}

static gboolean
write_credential (const char      *dir,
                  ZeTcCredential  *cred,
                  const char      *cert_name,
                  const char      *key_name,
                  GError         **error)
{
  g_autofree char *cert_path = g_build_filename (dir, cert_name, NULL);
  g_autofree char *key_path = NULL;
  g_auto(gnutls_datum_t) key_pem = { NULL, 0 };
  int rc;

  if (!ze_tc_write_file (cert_path, cred->pem, -1, 0644, error))
    return FALSE;

  if (key_name == NULL)
    return TRUE;

  /* PKCS#8, unencrypted: GLib, GnuTLS, OpenSSL and Go all read it. */
  if ((rc = gnutls_x509_privkey_export2_pkcs8 (cred->key, GNUTLS_X509_FMT_PEM, NULL,
                                               GNUTLS_PKCS_PLAIN, &key_pem)) < 0)
    return set_gnutls_error (error, rc, "Could not export a private key");

  key_path = g_build_filename (dir, key_name, NULL);
  return ze_tc_write_file (key_path, (const char *)key_pem.data, key_pem.size, 0600, error);
}

static gboolean
write_config (const char   *dir,
              const char   *controller_id,
              const char   *trust_domain,
              const char   *ca_id,
              ZeTcKeyType   key_type,
              GError      **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *path = g_build_filename (dir, ZE_TC_FILE_CONFIG, NULL);
  g_autofree char *text = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "controllerId");
  json_builder_add_string_value (builder, controller_id);
  json_builder_set_member_name (builder, "trustDomain");
  json_builder_add_string_value (builder, trust_domain);
  json_builder_set_member_name (builder, "thirdPartyCaId");
  json_builder_add_string_value (builder, ca_id);
  json_builder_set_member_name (builder, "keyType");
  json_builder_add_string_value (builder, ze_tc_key_type_to_string (key_type));
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);

  return ze_tc_write_file (path, text, -1, 0644, error);
}

gboolean
ze_tc_pki_init_dir (const char          *dir,
                    ZeTcKeyType          key_type,
                    const char * const  *hosts,
                    GError             **error)
{
  g_autoptr(ZeTcCredential) root = NULL;
  g_autoptr(ZeTcCredential) intermediate = NULL;
  g_autoptr(ZeTcCredential) server = NULL;
  g_autoptr(ZeTcCredential) other = NULL;
  g_autoptr(ZeTcCredential) third_party_ca = NULL;
  g_autoptr(ZeTcCredential) third_party_client = NULL;
  g_autoptr(GPtrArray) dns_names = g_ptr_array_new ();
  g_autoptr(GPtrArray) ip_addresses = g_ptr_array_new ();
  g_autofree char *controller_id = ze_tc_short_id ();
  g_autofree char *ca_id = ze_tc_short_id ();
  g_autofree char *config_path = g_build_filename (dir, ZE_TC_FILE_CONFIG, NULL);
  g_autofree char *trust_domain = NULL;
  g_autofree char *root_uri = NULL;
  g_autofree char *server_uri = NULL;
  g_autofree char *bundle = NULL;
  g_autofree char *chain = NULL;
  g_autofree char *path = NULL;
  g_autofree char *id_lower = NULL;
  CertSpec spec;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Could not create %s: %s", dir, g_strerror (saved_errno));
      return FALSE;
    }

  if (g_file_test (config_path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   "%s is already initialised (%s exists)", dir, ZE_TC_FILE_CONFIG);
      return FALSE;
    }

  /* Like `ziti pki create ca --trust-domain`: the root carries spiffe://<trust domain>. */
  id_lower = g_ascii_strdown (controller_id, -1);
  trust_domain = g_strdup_printf ("%s.ziti-enroll.test", id_lower);
  root_uri = g_strdup_printf ("spiffe://%s", trust_domain);
  server_uri = g_strdup_printf ("spiffe://%s/controller/%s", trust_domain, controller_id);

  g_ptr_array_add (dns_names, (gpointer)"localhost");
  g_ptr_array_add (ip_addresses, (gpointer)"127.0.0.1");
  g_ptr_array_add (ip_addresses, (gpointer)"::1");
  for (guint i = 0; hosts != NULL && hosts[i] != NULL; i++)
    {
      if (g_hostname_is_ip_address (hosts[i]))
        g_ptr_array_add (ip_addresses, (gpointer)hosts[i]);
      else
        g_ptr_array_add (dns_names, (gpointer)hosts[i]);
    }
  g_ptr_array_add (dns_names, NULL);
  g_ptr_array_add (ip_addresses, NULL);

  /* Root CA */
  spec = (CertSpec) {
    .common_name = "Ziti Enroll Test Root CA",
    .organization = "Ziti Enroll Test",
    .is_ca = TRUE,
    .path_len = -1,
    .key_usage = GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN | GNUTLS_KEY_DIGITAL_SIGNATURE,
    .uri = root_uri,
    .lifetime = CA_LIFETIME,
  };
  if (!(root = make_credential (&spec, ZE_TC_KEY_TYPE_EC_P256, NULL, error)))
    return FALSE;

  /* Intermediate CA: edge.enrollment.signingCert, and issuer of the server certificate */
  spec = (CertSpec) {
    .common_name = "Ziti Enroll Test Intermediate CA",
    .organization = "Ziti Enroll Test",
    .is_ca = TRUE,
    .path_len = 0,
    .key_usage = GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN | GNUTLS_KEY_DIGITAL_SIGNATURE,
    .uri = root_uri,
    .lifetime = CA_LIFETIME,
  };
  if (!(intermediate = make_credential (&spec, ZE_TC_KEY_TYPE_EC_P256, root, error)))
    return FALSE;

  /* Server leaf: its key signs the enrollment JWTs */
  spec = (CertSpec) {
    .common_name = "ziti-enroll-test-controller",
    .organization = "Ziti Enroll Test",
    .is_ca = FALSE,
    .path_len = -1,
    .key_usage = GNUTLS_KEY_DIGITAL_SIGNATURE | GNUTLS_KEY_KEY_ENCIPHERMENT,
    .key_purpose = GNUTLS_KP_TLS_WWW_SERVER,
    .dns_names = (const char * const *)dns_names->pdata,
    .ip_addresses = (const char * const *)ip_addresses->pdata,
    .uri = server_uri,
    .lifetime = LEAF_LIFETIME,
  };
  if (!(server = make_credential (&spec, key_type, intermediate, error)))
    return FALSE;

  /* "Other": an unrelated, self-signed server certificate for the same names */
  spec = (CertSpec) {
    .common_name = "Unrelated Test Server",
    .organization = "Somebody Else",
    .is_ca = FALSE,
    .path_len = -1,
    .key_usage = GNUTLS_KEY_DIGITAL_SIGNATURE | GNUTLS_KEY_KEY_ENCIPHERMENT,
    .key_purpose = GNUTLS_KP_TLS_WWW_SERVER,
    .dns_names = (const char * const *)dns_names->pdata,
    .ip_addresses = (const char * const *)ip_addresses->pdata,
    .lifetime = LEAF_LIFETIME,
  };
  if (!(other = make_credential (&spec, key_type, NULL, error)))
    return FALSE;

  /* Third-party CA (for ottca and ca) and a client certificate it issued */
  spec = (CertSpec) {
    .common_name = "Third-Party Test CA",
    .organization = "Third Party",
    .is_ca = TRUE,
    .path_len = -1,
    .key_usage = GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN | GNUTLS_KEY_DIGITAL_SIGNATURE,
    .lifetime = CA_LIFETIME,
  };
  if (!(third_party_ca = make_credential (&spec, ZE_TC_KEY_TYPE_EC_P256, NULL, error)))
    return FALSE;

  spec = (CertSpec) {
    .common_name = "third-party-client",
    .organization = "Third Party",
    .is_ca = FALSE,
    .path_len = -1,
    .key_usage = GNUTLS_KEY_DIGITAL_SIGNATURE,
    .key_purpose = GNUTLS_KP_TLS_WWW_CLIENT,
    .lifetime = CLIENT_LIFETIME,
  };
  if (!(third_party_client = make_credential (&spec, ZE_TC_KEY_TYPE_EC_P256, third_party_ca, error)))
    return FALSE;

  chain = g_strconcat (server->pem, intermediate->pem, NULL);
  bundle = g_strconcat (root->pem, intermediate->pem, third_party_ca->pem, NULL);

  if (!write_credential (dir, root, ZE_TC_FILE_ROOT_CA, ZE_TC_FILE_ROOT_CA_KEY, error) ||
      !write_credential (dir, intermediate, ZE_TC_FILE_INTERMEDIATE_CA, ZE_TC_FILE_INTERMEDIATE_CA_KEY, error) ||
      !write_credential (dir, server, ZE_TC_FILE_SERVER, ZE_TC_FILE_SERVER_KEY, error) ||
      !write_credential (dir, other, ZE_TC_FILE_OTHER, ZE_TC_FILE_OTHER_KEY, error) ||
      !write_credential (dir, third_party_ca, ZE_TC_FILE_THIRD_PARTY_CA, ZE_TC_FILE_THIRD_PARTY_CA_KEY, error) ||
      !write_credential (dir, third_party_client, ZE_TC_FILE_THIRD_PARTY_CLIENT,
                         ZE_TC_FILE_THIRD_PARTY_CLIENT_KEY, error))
    return FALSE;

  path = g_build_filename (dir, ZE_TC_FILE_SERVER_CHAIN, NULL);
  if (!ze_tc_write_file (path, chain, -1, 0644, error))
    return FALSE;
  g_clear_pointer (&path, g_free);

  path = g_build_filename (dir, ZE_TC_FILE_CA_BUNDLE, NULL);
  if (!ze_tc_write_file (path, bundle, -1, 0644, error))
    return FALSE;

  if (!ze_tc_store_prepare (dir, error))
    return FALSE;

  /* Last: its presence marks a complete directory. */
  return write_config (dir, controller_id, trust_domain, ca_id, key_type, error);
}

static ZeTcCredential *
load_credential (const char  *dir,
                 const char  *cert_name,
                 const char  *key_name,
                 GError     **error)
{
  g_autoptr(ZeTcCredential) cred = g_new0 (ZeTcCredential, 1);
  g_autofree char *cert_path = g_build_filename (dir, cert_name, NULL);
  g_autofree char *cert_pem = NULL;
  gsize cert_len = 0;
  gnutls_datum_t datum;
  int rc;

  if (!g_file_get_contents (cert_path, &cert_pem, &cert_len, error))
    return NULL;

  datum.data = (unsigned char *)cert_pem;
  datum.size = cert_len;
  if ((rc = gnutls_x509_crt_init (&cred->crt)) < 0 ||
      (rc = gnutls_x509_crt_import (cred->crt, &datum, GNUTLS_X509_FMT_PEM)) < 0)
    {
      g_set_error (error, ZE_TC_ERROR, ZE_TC_ERROR_CRYPTO, "Could not load %s: %s",
                   cert_path, gnutls_strerror (rc));
      return NULL;
    }

  if (key_name != NULL)
    {
      g_autofree char *key_path = g_build_filename (dir, key_name, NULL);
      char *key_pem = NULL;
      gsize key_len = 0;

      if (!g_file_get_contents (key_path, &key_pem, &key_len, error))
        return NULL;

      datum.data = (unsigned char *)key_pem;
      datum.size = key_len;
      if ((rc = gnutls_x509_privkey_init (&cred->key)) >= 0)
        rc = gnutls_x509_privkey_import2 (cred->key, &datum, GNUTLS_X509_FMT_PEM, NULL, 0);

      gnutls_memset (key_pem, 0, key_len);
      g_free (key_pem);

      if (rc < 0)
        {
          g_set_error (error, ZE_TC_ERROR, ZE_TC_ERROR_CRYPTO, "Could not load %s: %s",
                       key_path, gnutls_strerror (rc));
          return NULL;
        }
    }

  if (!credential_complete (cred, error))
    return NULL;

  return g_steal_pointer (&cred);
}

void
ze_tc_pki_free (ZeTcPki *pki)
{
  if (pki == NULL)
    return;

  g_free (pki->dir);
  g_free (pki->controller_id);
  g_free (pki->trust_domain);
  g_free (pki->third_party_ca_id);
  ze_tc_credential_free (pki->root);
  ze_tc_credential_free (pki->intermediate);
  ze_tc_credential_free (pki->server);
  ze_tc_credential_free (pki->other);
  ze_tc_credential_free (pki->third_party_ca);
  g_mutex_clear (&pki->sign_lock);
  g_free (pki);
}

ZeTcPki *
ze_tc_pki_load (const char  *dir,
                GError     **error)
{
  g_autoptr(ZeTcPki) pki = g_new0 (ZeTcPki, 1);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *config_path = g_build_filename (dir, ZE_TC_FILE_CONFIG, NULL);
  JsonObject *config;
  JsonNode *root;

  g_mutex_init (&pki->sign_lock);
  pki->dir = g_strdup (dir);

  if (!json_parser_load_from_file (parser, config_path, error))
    {
      g_prefix_error (error, "Not an initialised controller directory (run init first): ");
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, ZE_TC_ERROR, ZE_TC_ERROR_INVALID, "%s is not a JSON object", config_path);
      return NULL;
    }

  config = json_node_get_object (root);
  pki->controller_id = g_strdup (json_object_get_string_member_with_default (config, "controllerId", NULL));
  pki->trust_domain = g_strdup (json_object_get_string_member_with_default (config, "trustDomain", NULL));
  pki->third_party_ca_id = g_strdup (json_object_get_string_member_with_default (config, "thirdPartyCaId", NULL));
  if (pki->controller_id == NULL || pki->trust_domain == NULL || pki->third_party_ca_id == NULL)
    {
      g_set_error (error, ZE_TC_ERROR, ZE_TC_ERROR_INVALID, "%s is incomplete", config_path);
      return NULL;
    }

  if (!(pki->root = load_credential (dir, ZE_TC_FILE_ROOT_CA, NULL, error)) ||
      !(pki->intermediate = load_credential (dir, ZE_TC_FILE_INTERMEDIATE_CA, ZE_TC_FILE_INTERMEDIATE_CA_KEY, error)) ||
      !(pki->server = load_credential (dir, ZE_TC_FILE_SERVER, ZE_TC_FILE_SERVER_KEY, error)) ||
      !(pki->other = load_credential (dir, ZE_TC_FILE_OTHER, ZE_TC_FILE_OTHER_KEY, error)) ||
      !(pki->third_party_ca = load_credential (dir, ZE_TC_FILE_THIRD_PARTY_CA, NULL, error)))
    return NULL;

  return g_steal_pointer (&pki);
}

/* Go's encoding/pem getLine(): the line without its ending, trailing
 * spaces and tabs; *rest points after the '\n' (or at @end). */
static const char *
get_line (const char  *p,
          const char  *end,
          const char **rest)
{
  const char *nl = memchr (p, '\n', end - p);
  const char *line_end;

  if (nl == NULL)
    {
      line_end = end;
      *rest = end;
    }
  else
    {
      line_end = nl;
      *rest = nl + 1;
      if (line_end > p && line_end[-1] == '\r')
        line_end--;
    }

  while (line_end > p && (line_end[-1] == ' ' || line_end[-1] == '\t'))
    line_end--;

  return line_end;
}

static gboolean
has_prefix (const char *p,
            const char *end,
            const char *prefix)
{
  gsize len = strlen (prefix);

  return (gsize)(end - p) >= len && memcmp (p, prefix, len) == 0;
}

/* Strict standard base64 (with padding), ignoring spaces, tabs, CR and LF. */
static GBytes *
decode_base64_strict (const char *p,
                      const char *end)
{
  g_autoptr(GString) clean = g_string_sized_new (end - p);
  guint padding = 0;
  gsize out_len = 0;
  guchar *out;

  for (; p < end; p++)
    {
      if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
        continue;
      if (*p == '=')
        padding++;
      else if (padding > 0 || !(g_ascii_isalnum (*p) || *p == '+' || *p == '/'))
        return NULL;
      g_string_append_c (clean, *p);
    }

  if (clean->len % 4 != 0 || padding > 2)
    return NULL;

  out = g_base64_decode (clean->str, &out_len);
  return g_bytes_new_take (out, out_len);
}

/* Decodes the CSR body the way the Go controller does (pem.Decode and a
 * check that nothing is left): text before the block is skipped, one
 * line ending (and trailing blanks) after the END line is allowed, and
 * anything else after it is an error. The PEM type is not checked. */
GBytes *
ze_tc_pki_decode_csr_pem (const char  *data,
                          gsize        len,
                          GError     **error)
{
  const char *end = data + len;
  const char *rest = data;

  while (rest < end)
    {
      const char *begin, *type_start, *type_end, *body_start, *end_line, *trailer, *after;
      gsize type_len;
      GBytes *der;

      if (has_prefix (rest, end, "-----BEGIN "))
        begin = rest;
      else
        {
          const char *found = g_strstr_len (rest, end - rest, "\n-----BEGIN ");

          if (found == NULL)
            break;
          begin = found + 1;
        }

      type_start = begin + strlen ("-----BEGIN ");
      type_end = get_line (type_start, end, &body_start);
      if (type_end - type_start < 5 || memcmp (type_end - 5, "-----", 5) != 0)
        {
          rest = body_start;
          continue;
        }
      type_len = (type_end - 5) - type_start;

      if (has_prefix (body_start, end, "-----END "))
        {
          end_line = body_start;
          trailer = body_start + strlen ("-----END ");
        }
      else
        {
          end_line = g_strstr_len (body_start, end - body_start, "\n-----END ");
          if (end_line == NULL)
            {
              rest = body_start;
              continue;
            }
          trailer = end_line + strlen ("\n-----END ");
        }

      if ((gsize)(end - trailer) < type_len + 5 ||
          memcmp (trailer, type_start, type_len) != 0 ||
          memcmp (trailer + type_len, "-----", 5) != 0 ||
          get_line (trailer + type_len + 5, end, &after) != trailer + type_len + 5)
        {
          rest = body_start;
          continue;
        }

      if (!(der = decode_base64_strict (body_start, end_line)))
        {
          rest = body_start;
          continue;
        }

      if (after != end)
        {
          g_bytes_unref (der);
          g_set_error_literal (error, ZE_TC_ERROR, ZE_TC_ERROR_INVALID,
                               "unexpected PEM blocks at end of CSR");
          return NULL;
        }

      return der;
    }

  g_set_error_literal (error, ZE_TC_ERROR, ZE_TC_ERROR_INVALID, "could not decode CSR PEM block");
  return NULL;
}

char *
ze_tc_pki_issue_client_cert (ZeTcPki     *pki,
                             GBytes      *csr_der,
                             const char  *identity_id,
                             char       **out_fingerprint,
                             GError     **error)
{
  g_auto(gnutls_x509_crq_t) crq = NULL;
  g_auto(gnutls_x509_crt_t) crt = NULL;
  g_auto(gnutls_privkey_t) signer = NULL;
  g_auto(gnutls_datum_t) der = { NULL, 0 };
  g_auto(gnutls_datum_t) pem = { NULL, 0 };
  g_autofree char *uri = NULL;
  gnutls_datum_t datum;
  guint8 key_id[64];
  size_t key_id_size = sizeof key_id;
  unsigned int critical = 0;
  time_t now = time (NULL);
  int rc;

  datum.data = (unsigned char *)g_bytes_get_data (csr_der, NULL);
  datum.size = g_bytes_get_size (csr_der);

  if ((rc = gnutls_x509_crq_init (&crq)) < 0 ||
      (rc = gnutls_x509_crq_import (crq, &datum, GNUTLS_X509_FMT_DER)) < 0)
    {
      g_set_error (error, ZE_TC_ERROR, ZE_TC_ERROR_INVALID,
                   "x509: malformed certificate request: %s", gnutls_strerror (rc));
      return NULL;
    }

  /* Proof of possession (Go: csr.CheckSignature()). */
  if ((rc = gnutls_x509_crq_verify (crq, 0)) < 0)
    {
      g_set_error (error, ZE_TC_ERROR, ZE_TC_ERROR_INVALID,
                   "x509: CSR signature verification failed: %s", gnutls_strerror (rc));
      return NULL;
    }

  uri = g_strdup_printf ("spiffe://%s/identity/%s", pki->trust_domain, identity_id);

  /* Subject and public key are copied from the CSR; its extensions are not. */
  if ((rc = gnutls_x509_crt_init (&crt)) < 0 ||
      (rc = gnutls_x509_crt_set_crq (crt, crq)) < 0 ||
      (rc = gnutls_x509_crt_set_version (crt, 3)) < 0 ||
      (rc = gnutls_x509_crt_set_activation_time (crt, now - 60)) < 0 ||
      (rc = gnutls_x509_crt_set_expiration_time (crt, now + CLIENT_LIFETIME)) < 0 ||
      (rc = gnutls_x509_crt_set_basic_constraints (crt, 0, -1)) < 0 ||
      (rc = gnutls_x509_crt_set_key_usage (crt, GNUTLS_KEY_DIGITAL_SIGNATURE |
                                                GNUTLS_KEY_KEY_ENCIPHERMENT |
                                                GNUTLS_KEY_DATA_ENCIPHERMENT)) < 0 ||
      (rc = gnutls_x509_crt_set_key_purpose_oid (crt, GNUTLS_KP_TLS_WWW_CLIENT, 0)) < 0 ||
      (rc = gnutls_x509_crt_set_subject_alt_name (crt, GNUTLS_SAN_URI, uri, strlen (uri),
                                                  GNUTLS_FSAN_SET)) < 0)
    {
      g_set_error (error, ZE_TC_ERROR, ZE_TC_ERROR_CRYPTO,
                   "could not build the certificate: %s", gnutls_strerror (rc));
      return NULL;
    }

  if (!set_random_serial (crt, error))
    return NULL;

  /* GnuTLS objects are not meant for concurrent use: one issuer at a time. */
  g_mutex_lock (&pki->sign_lock);
  if ((rc = gnutls_x509_crt_get_subject_key_id (pki->intermediate->crt, key_id, &key_id_size, &critical)) >= 0 &&
      (rc = gnutls_x509_crt_set_authority_key_id (crt, key_id, key_id_size)) >= 0 &&
      (rc = gnutls_privkey_init (&signer)) >= 0 &&
      (rc = gnutls_privkey_import_x509 (signer, pki->intermediate->key, 0)) >= 0)
    rc = gnutls_x509_crt_privkey_sign (crt, pki->intermediate->crt, signer,
                                       digest_for_key (pki->intermediate->key), 0);
  g_clear_pointer (&signer, gnutls_privkey_deinit);
  g_mutex_unlock (&pki->sign_lock);

  if (rc < 0 ||
      (rc = gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_DER, &der)) < 0 ||
      (rc = gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_PEM, &pem)) < 0)
    {
      g_set_error (error, ZE_TC_ERROR, ZE_TC_ERROR_CRYPTO,
                   "could not sign the certificate: %s", gnutls_strerror (rc));
      return NULL;
    }

  if (out_fingerprint != NULL)
    *out_fingerprint = g_compute_checksum_for_data (G_CHECKSUM_SHA1, der.data, der.size);

  return g_strndup ((const char *)pem.data, pem.size);
}

/* Verifies a client chain (leaf first, then untrusted intermediates)
 * against the third-party CA, for TLS client use: a leaf with no EKU
 * passes, as in Go. */
gboolean
ze_tc_pki_verify_client_chain (ZeTcPki    *pki,
                               GPtrArray  *der_chain,
                               char      **out_fingerprint,
                               GError    **error)
{
  g_auto(ZeTcTrustList) trust = NULL;
  g_auto(gnutls_x509_crt_t) anchor = NULL;
  gnutls_x509_crt_t chain[16] = { NULL, };
  gnutls_typed_vdata_st purpose = {
    .type = GNUTLS_DT_KEY_PURPOSE_OID,
    .data = (unsigned char *)GNUTLS_KP_TLS_WWW_CLIENT,
  };
  gnutls_datum_t datum;
  unsigned int status = 0;
  guint n_chain = 0;
  gboolean ok = FALSE;
  int rc;

  if (der_chain == NULL || der_chain->len == 0)
    {
      g_set_error_literal (error, ZE_TC_ERROR, ZE_TC_ERROR_INVALID, "no client certificate presented");
      return FALSE;
    }

  for (n_chain = 0; n_chain < der_chain->len && n_chain < G_N_ELEMENTS (chain); n_chain++)
    {
      GBytes *bytes = g_ptr_array_index (der_chain, n_chain);

      datum.data = (unsigned char *)g_bytes_get_data (bytes, NULL);
      datum.size = g_bytes_get_size (bytes);
      if ((rc = gnutls_x509_crt_init (&chain[n_chain])) < 0 ||
          (rc = gnutls_x509_crt_import (chain[n_chain], &datum, GNUTLS_X509_FMT_DER)) < 0)
        {
          g_set_error (error, ZE_TC_ERROR, ZE_TC_ERROR_INVALID,
                       "could not parse the client certificate: %s", gnutls_strerror (rc));
          n_chain++;
          goto out;
        }
    }

  datum.data = (unsigned char *)g_bytes_get_data (pki->third_party_ca->der, NULL);
  datum.size = g_bytes_get_size (pki->third_party_ca->der);
  if ((rc = gnutls_x509_crt_init (&anchor)) < 0 ||
      (rc = gnutls_x509_crt_import (anchor, &datum, GNUTLS_X509_FMT_DER)) < 0 ||
      (rc = gnutls_x509_trust_list_init (&trust, 0)) < 0 ||
      (rc = gnutls_x509_trust_list_add_cas (trust, &anchor, 1, 0)) < 0)
    {
      g_set_error (error, ZE_TC_ERROR, ZE_TC_ERROR_CRYPTO,
                   "could not load the CA: %s", gnutls_strerror (rc));
      goto out;
    }
  anchor = NULL;   /* owned by the trust list now */

  rc = gnutls_x509_trust_list_verify_crt2 (trust, chain, n_chain, &purpose, 1, 0, &status, NULL);
  if (rc < 0 || status != 0)
    {
      g_auto(gnutls_datum_t) text = { NULL, 0 };

      if (rc >= 0)
        gnutls_certificate_verification_status_print (status, GNUTLS_CRT_X509, &text, 0);
      g_set_error (error, ZE_TC_ERROR, ZE_TC_ERROR_INVALID,
                   "x509: certificate did not verify against the CA: %s",
                   rc < 0 ? gnutls_strerror (rc) : (text.data != NULL ? (const char *)text.data : "invalid"));
      goto out;
    }

  if (out_fingerprint != NULL)
    {
      GBytes *leaf = g_ptr_array_index (der_chain, 0);

      *out_fingerprint = g_compute_checksum_for_bytes (G_CHECKSUM_SHA1, leaf);
    }
  ok = TRUE;

out:
  for (guint i = 0; i < n_chain; i++)
    g_clear_pointer (&chain[i], gnutls_x509_crt_deinit);

  return ok;
}

/* The body of /.well-known/est/cacerts: base64 of a certs-only PKCS#7
 * holding every CA certificate, in 64-column lines and no final newline. */
char *
ze_tc_pki_cacerts_body (ZeTcPki   *pki,
                        gboolean   garbage,
                        GError   **error)
{
  g_auto(gnutls_pkcs7_t) pkcs7 = NULL;
  g_auto(gnutls_datum_t) der = { NULL, 0 };
  ZeTcCredential *cas[] = { pki->root, pki->intermediate, pki->third_party_ca };
  int rc;

  if (garbage)
    {
      static const char junk[] =
        "This is not a PKCS#7 structure. It is plain text that only looks like a "
        "certificate bundle once it has been base64 encoded.";
      guint8 bytes[sizeof junk - 1 + 64];

      memcpy (bytes, junk, sizeof junk - 1);
      gnutls_rnd (GNUTLS_RND_NONCE, bytes + sizeof junk - 1, 64);

      return ze_tc_base64_lines (bytes, sizeof bytes);
    }

  if ((rc = gnutls_pkcs7_init (&pkcs7)) < 0)
    {
      set_gnutls_error (error, rc, "Could not create the PKCS#7 bundle");
      return NULL;
    }

  for (guint i = 0; i < G_N_ELEMENTS (cas); i++)
    {
      if ((rc = gnutls_pkcs7_set_crt (pkcs7, cas[i]->crt)) < 0)
        {
          set_gnutls_error (error, rc, "Could not add a certificate to the PKCS#7 bundle");
          return NULL;
        }
    }

  if ((rc = gnutls_pkcs7_export2 (pkcs7, GNUTLS_X509_FMT_DER, &der)) < 0)
    {
      set_gnutls_error (error, rc, "Could not export the PKCS#7 bundle");
      return NULL;
    }

  return ze_tc_base64_lines (der.data, der.size);
}
