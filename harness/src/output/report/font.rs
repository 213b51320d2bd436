//! The one font every chart uses, compiled into the binary so charts render the same on a CI
//! runner or container without any system fonts (plotters' `ab_glyph` backend, no fontconfig).

use std::sync::OnceLock;

use plotters::style::{register_font, FontStyle};

/// DejaVu Sans from Debian's fonts-dejavu-core; licence in `assets/fonts/DejaVuSans.LICENSE`.
static DEJAVU_SANS: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/fonts/DejaVuSans.ttf"
));

/// The family name charts ask for. Registering the embedded font under the generic name means
/// SVGs say `font-family="sans-serif"`, so a browser falls back to a sans face, not Times.
pub const FAMILY: &str = "sans-serif";

/// Registers the embedded font once per process; every chart calls this before drawing.
pub fn ensure_registered() -> anyhow::Result<()> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        // Bold is the same face: titles differ by size, and a missing style would fail to draw.
        register_font(FAMILY, FontStyle::Normal, DEJAVU_SANS).is_ok()
            && register_font(FAMILY, FontStyle::Bold, DEJAVU_SANS).is_ok()
    });
    anyhow::ensure!(ok, "the embedded DejaVu Sans font failed to load");
    Ok(())
}
