//! The development key: tokens for trying the server without an identity provider
//! (`vestegn dev-token`), accepted only by a server started with `--dev-auth` on a loopback
//! address, and never for a request that came through a proxy.
//!
//! The key is this machine's own: the first server started with `--dev-auth` generates an Ed25519
//! key and writes it, readable by its owner only (mode 0600), to the development key file
//! (`DEV_KEY_FILE`, by default beside the SQLite database: [`crate::config::Config::dev_key_file`]).
//! `vestegn dev-token` signs with the same file and fails when there is none yet. A token made on
//! another machine, or with another key file, does not verify. No key is in the repository.

use std::{fmt, io::Write, path::Path};

use anyhow::Context;
use base64::{engine::general_purpose::STANDARD, Engine};
use jsonwebtoken::{jwk::Jwk, Algorithm, DecodingKey, EncodingKey, Header};
use rand::RngCore;
use serde_json::{json, Value};

/// The `iss` of development tokens.
pub const ISSUER: &str = "urn:vestegn:dev";
/// The `kid` of development tokens, whichever machine's key signed them.
pub const KEY_ID: &str = "vestegn-dev";

/// The PKCS#8 (RFC 8410) encoding of an Ed25519 private key, up to its 32-byte seed.
const PKCS8_ED25519_PREFIX: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];
const PEM_BEGIN: &str = "-----BEGIN PRIVATE KEY-----";
const PEM_END: &str = "-----END PRIVATE KEY-----";

/// This machine's development key: signs (`vestegn dev-token`) and verifies (`--dev-auth`).
#[derive(Clone)]
pub struct DevKey {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl fmt::Debug for DevKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DevKey(***)")
    }
}

impl DevKey {
    /// A new random key (for a new key file, and for tests).
    pub fn generate() -> anyhow::Result<Self> {
        let mut seed = [0_u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut seed);
        Self::from_pkcs8(&pkcs8(&seed))
    }

    /// The key in `path`; an error that says how to make one when there is none.
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let pem = match std::fs::read_to_string(path) {
            Ok(pem) => pem,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => anyhow::bail!(
                "there is no development key at {}: start the server once with --dev-auth and \
                 the same DATABASE_URL (or DEV_KEY_FILE), and it makes one",
                path.display()
            ),
            Err(err) => {
                return Err(err).with_context(|| format!("cannot read {}", path.display()));
            }
        };
        refuse_if_shared(path)?;
        let der = pem
            .trim()
            .strip_prefix(PEM_BEGIN)
            .and_then(|rest| rest.strip_suffix(PEM_END))
            .map(|body| body.split_whitespace().collect::<String>())
            .and_then(|body| STANDARD.decode(body).ok())
            .with_context(|| format!("{} is not a PEM private key", path.display()))?;
        Self::from_pkcs8(&der).with_context(|| format!("{} holds no Ed25519 key", path.display()))
    }

    /// The key in `path`, made there first (mode 0600) when there is none.
    pub fn load_or_create(path: &Path) -> anyhow::Result<(Self, KeyFile)> {
        let mut seed = [0_u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut seed);
        let der = pkcs8(&seed);
        let pem = format!("{PEM_BEGIN}\n{}\n{PEM_END}\n", STANDARD.encode(&der));
        if path.exists() {
            return Ok((Self::load(path)?, KeyFile::Found));
        }
        // Written whole beside it, then linked into place: the key file never exists half
        // written, and of two starts at once one makes it and the other reads it.
        let mut draft = path.as_os_str().to_owned();
        draft.push(format!(".{}.tmp", std::process::id()));
        let draft = std::path::PathBuf::from(draft);
        let written = create_private(&draft).and_then(|mut file| {
            file.write_all(pem.as_bytes())?;
            file.sync_all()
        });
        let linked = written.and_then(|()| std::fs::hard_link(&draft, path));
        let _ = std::fs::remove_file(&draft);
        match linked {
            Ok(()) => Ok((Self::from_pkcs8(&der)?, KeyFile::Made)),
            // Another start made it first.
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
                Ok((Self::load(path)?, KeyFile::Found))
            }
            Err(err) => Err(err).with_context(|| format!("cannot create {}", path.display())),
        }
    }

    fn from_pkcs8(der: &[u8]) -> anyhow::Result<Self> {
        let encoding = EncodingKey::from_ed_der(der);
        let public = Jwk::from_encoding_key(&encoding, Algorithm::EdDSA)?;
        let decoding = DecodingKey::from_jwk(&public)?;
        Ok(Self { encoding, decoding })
    }

    /// The key that verifies development tokens.
    pub fn verifying_key(&self) -> &DecodingKey {
        &self.decoding
    }

    /// A development access token for `audience`, valid for `lifetime_secs`, with `claims` added
    /// to `iss`, `aud`, `iat` and `exp`.
    pub fn token(
        &self,
        audience: &str,
        lifetime_secs: u64,
        claims: Value,
    ) -> anyhow::Result<String> {
        let now = jsonwebtoken::get_current_timestamp();
        let mut body = json!({
            "iss": ISSUER,
            "aud": audience,
            "iat": now,
            "exp": now + lifetime_secs,
        });
        if let (Some(body), Value::Object(claims)) = (body.as_object_mut(), claims) {
            body.extend(claims);
        }
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(KEY_ID.to_owned());
        header.typ = Some("at+jwt".to_owned());
        Ok(jsonwebtoken::encode(&header, &body, &self.encoding)?)
    }
}

/// Whether [`DevKey::load_or_create`] made the key file or found it (for the log).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyFile {
    Made,
    Found,
}

fn pkcs8(seed: &[u8; 32]) -> Vec<u8> {
    let mut der = PKCS8_ED25519_PREFIX.to_vec();
    der.extend_from_slice(seed);
    der
}

/// Creates `path` for writing, failing when it exists; readable by its owner only.
fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// Refuses a key file that others than its owner may read (as ssh does with private keys).
fn refuse_if_shared(path: &Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)?.permissions().mode();
        if mode & 0o077 != 0 {
            anyhow::bail!(
                "the development key {} may be read by others (mode {:o}): `chmod 600` it",
                path.display(),
                mode & 0o777
            );
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{DevKey, KeyFile};

    #[test]
    fn a_key_file_is_made_once_private_and_read_back() -> anyhow::Result<()> {
        let dir = std::env::temp_dir().join(format!("vestegn-dev-key-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir)?;
        let path = dir.join("test.dev-key.pem");
        assert!(DevKey::load(&path).is_err(), "no key yet");
        let (made, file) = DevKey::load_or_create(&path)?;
        assert_eq!(file, KeyFile::Made);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&path)?.permissions().mode() & 0o777,
                0o600
            );
        }
        let (again, file) = DevKey::load_or_create(&path)?;
        assert_eq!(file, KeyFile::Found, "the file is kept");
        let token = made.token("vestegn-api", 60, json!({ "sub": "x" }))?;
        let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::EdDSA);
        validation.set_audience(&["vestegn-api"]);
        jsonwebtoken::decode::<serde_json::Value>(&token, again.verifying_key(), &validation)?;
        let other = DevKey::generate()?;
        assert!(
            jsonwebtoken::decode::<serde_json::Value>(&token, other.verifying_key(), &validation)
                .is_err(),
            "another key does not verify it"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644))?;
            assert!(
                DevKey::load(&path).is_err(),
                "a key others may read is refused"
            );
        }
        std::fs::remove_dir_all(&dir)?;
        Ok(())
    }
}
