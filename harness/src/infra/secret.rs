//! Secrets the harness makes for one cluster or server (`spark.authenticate`, the Connect
//! token): 256 random bits, hex, passed to Spark through the environment, never written to a
//! file the harness keeps.

/// 256 random bits, hex.
pub fn new_secret() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}
