//! The font, embedded: plotters' `ab_glyph` text needs a registered font, and a system font cannot
//! be assumed on a fresh machine.

use std::sync::OnceLock;

use plotters::style::FontStyle;

use crate::error::{Result, VizError};

/// Registers DejaVu Sans as `"sans-serif"`, once per process.
pub(crate) fn ensure_font() -> Result<()> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        plotters::style::register_font("sans-serif", FontStyle::Normal, dejavu::sans::regular())
            .is_ok()
    });
    if ok { Ok(()) } else { Err(VizError::Font) }
}
