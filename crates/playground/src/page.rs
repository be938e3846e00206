//! `playground.html`: the page's markup, style and script (`web/`) with the WebAssembly module
//! embedded as base64, one file that opens from disk with no network.

use base64::Engine as _;

const HTML: &str = include_str!("../web/playground.html");
const STYLE: &str = include_str!("../web/playground.css");
const SCRIPT: &str = include_str!("../web/playground.js");

/// The page around `wasm`, the module's bytes.
pub fn assemble(wasm: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(wasm);
    // Base64 holds no quote, backslash or `<`, so it sits in the script's string literal as is.
    let script = SCRIPT.replace("/*WASM*/", &b64);
    HTML.replace("/*STYLE*/", STYLE)
        .replace("/*SCRIPT*/", &script)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_page_embeds_everything_and_refers_outside_to_nothing() {
        let page = super::assemble(b"\0asm-test");
        assert!(page.contains("AGFzbS10ZXN0"), "the module, base64");
        assert!(!page.contains("/*WASM*/") && !page.contains("/*SCRIPT*/"));
        for outside in ["http://", "https://", "src=\"//", "@import", "url("] {
            assert!(!page.contains(outside), "{outside}");
        }
        for hook in [
            "play",
            "pause",
            "step",
            "reset",
            "epoch",
            "loss",
            "accuracy",
            "export-command",
        ] {
            assert!(page.contains(&format!("data-testid=\"{hook}\"")), "{hook}");
        }
    }
}
