//! TLS for the gateway (rustls with the `ring` provider): a certificate chain and private key in
//! PEM, read from files or given directly (for example from an environment variable), or a
//! self-signed certificate made at start for local use. The private key is never logged or put in
//! an error message; errors name only where the key came from.

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::ServerConfig;
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("no certificate in {source_name}")]
    NoCertificate { source_name: String },
    #[error("the certificate in {source_name} is not valid PEM")]
    BadCertificate { source_name: String },
    #[error("no usable private key (PKCS#8, PKCS#1 or SEC1 PEM) in {source_name}")]
    BadKey { source_name: String },
    #[error("the certificate and key from {source_name} do not make a TLS configuration: {error}")]
    Config { source_name: String, error: rustls::Error },
    #[error("could not make a self-signed certificate: {0}")]
    SelfSigned(String),
}

/// A server certificate chain and its private key, PEM-encoded. `Debug` shows no key material.
pub struct TlsIdentity {
    pub certificate_pem: Vec<u8>,
    pub private_key_pem: Vec<u8>,
    /// Where they came from, for error messages ("--tls-key /etc/augury/key.pem", "AUGURY_TLS_KEY").
    pub source_name: String,
}

impl std::fmt::Debug for TlsIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsIdentity").field("source_name", &self.source_name).finish_non_exhaustive()
    }
}

impl TlsIdentity {
    /// A certificate for `localhost`, 127.0.0.1 and ::1, signed by itself (clients must be told to
    /// trust it: it is for local use and tests).
    pub fn self_signed() -> Result<TlsIdentity, TlsError> {
        let names = vec!["localhost".to_string(), "127.0.0.1".to_string(), "::1".to_string()];
        let certified = rcgen::generate_simple_self_signed(names).map_err(|e| TlsError::SelfSigned(e.to_string()))?;
        Ok(TlsIdentity {
            certificate_pem: certified.cert.pem().into_bytes(),
            private_key_pem: certified.signing_key.serialize_pem().into_bytes(),
            source_name: "a self-signed certificate".to_string(),
        })
    }

    /// The rustls server configuration: HTTP/1.1 (and HTTP/2 by ALPN), TLS 1.2 and 1.3.
    pub fn server_config(&self) -> Result<Arc<ServerConfig>, TlsError> {
        let source_name = self.source_name.clone();
        let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&self.certificate_pem)
            .collect::<Result<_, _>>()
            .map_err(|_| TlsError::BadCertificate { source_name: source_name.clone() })?;
        if chain.is_empty() {
            return Err(TlsError::NoCertificate { source_name });
        }
        let key = PrivateKeyDer::from_pem_slice(&self.private_key_pem)
            .map_err(|_| TlsError::BadKey { source_name: source_name.clone() })?;
        let config_error = |error| TlsError::Config { source_name: source_name.clone(), error };
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(config_error)?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(config_error)?;
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_self_signed_identity_makes_a_configuration_and_hides_its_key() {
        let identity = TlsIdentity::self_signed().unwrap();
        assert!(identity.server_config().is_ok());
        let shown = format!("{identity:?}");
        assert!(!shown.contains("PRIVATE KEY"), "{shown}");
    }

    #[test]
    fn bad_pem_is_refused_without_echoing_it() {
        let good = TlsIdentity::self_signed().unwrap();
        let no_key = TlsIdentity {
            certificate_pem: good.certificate_pem.clone(),
            private_key_pem: b"-----BEGIN PRIVATE KEY-----\nnot base64 at all\n-----END PRIVATE KEY-----\n".to_vec(),
            source_name: "AUGURY_TLS_KEY".into(),
        };
        let error = no_key.server_config().unwrap_err().to_string();
        assert!(error.contains("AUGURY_TLS_KEY") && !error.contains("not base64"), "{error}");
        let no_cert = TlsIdentity {
            certificate_pem: Vec::new(),
            private_key_pem: good.private_key_pem.clone(),
            source_name: "cert.pem".into(),
        };
        assert!(matches!(no_cert.server_config(), Err(TlsError::NoCertificate { .. })));
    }
}
