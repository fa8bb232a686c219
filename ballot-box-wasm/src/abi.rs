//! The raw exports JavaScript calls (no wasm-bindgen): the only unsafe code of the crate,
//! because JavaScript hands over raw pointers into the module's memory.
//!
//! The protocol, which hub/web/js/ballot-box.js follows:
//! 1. `ptr = bb_alloc(len)` reserves `len` bytes (0 if `len` is over [`MAX_INPUT`]); JS
//!    writes the UTF-8 JSON input there.
//! 2. `status = bb_<call>(ptr, len)` takes the input back (and frees it), runs the call,
//!    and returns 0 with JSON output, or 1 with `{"error":"<message>"}`.
//! 3. `bb_output_ptr()` and `bb_output_len()` locate the output, valid until the next call.
//!
//! `bb_box_verify` and `bb_box_verify_part` call the import `env.bb_progress(done, total)` as
//! they verify ballots.
#![allow(unsafe_code)]

use std::sync::Mutex;

use crate::calls::{self, Outcome};

/// The largest input accepted: a published box of 2,000 20-option ballots is ~20 MB.
pub const MAX_INPUT: usize = 128 * 1024 * 1024;

static OUTPUT: Mutex<Vec<u8>> = Mutex::new(Vec::new());

#[link(wasm_import_module = "env")]
extern "C" {
    /// Supplied by the JavaScript that instantiates the module.
    fn bb_progress(done: u32, total: u32);
}

/// Reserves `len` bytes for an input; returns 0 if `len` is too large.
#[no_mangle]
pub extern "C" fn bb_alloc(len: usize) -> *mut u8 {
    if len > MAX_INPUT {
        return std::ptr::null_mut();
    }
    Box::into_raw(vec![0u8; len].into_boxed_slice()).cast()
}

/// Frees an input that was reserved with [`bb_alloc`] and not passed to a call.
///
/// # Safety
/// `ptr` and `len` must come from one `bb_alloc` and not be used again.
#[no_mangle]
pub unsafe extern "C" fn bb_free(ptr: *mut u8, len: usize) {
    if !ptr.is_null() {
        // SAFETY: the caller passes back exactly what `bb_alloc` returned for `len`.
        drop(unsafe { take(ptr, len) });
    }
}

/// Where the last call's output starts.
#[no_mangle]
pub extern "C" fn bb_output_ptr() -> *const u8 {
    output().as_ptr()
}

/// How long the last call's output is.
#[no_mangle]
pub extern "C" fn bb_output_len() -> usize {
    output().len()
}

fn output() -> std::sync::MutexGuard<'static, Vec<u8>> {
    OUTPUT.lock().unwrap_or_else(|e| e.into_inner())
}

/// Takes back the box `bb_alloc` made.
///
/// # Safety
/// `ptr` and `len` must come from one `bb_alloc`.
unsafe fn take(ptr: *mut u8, len: usize) -> Box<[u8]> {
    // SAFETY: `bb_alloc` made this pointer from a `Box<[u8]>` of exactly `len` bytes.
    unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(ptr, len)) }
}

/// Runs `call` on the input at `ptr`, stores its output, returns the status.
///
/// # Safety
/// `ptr` and `len` must come from one `bb_alloc` (or be null and 0).
unsafe fn run(ptr: *mut u8, len: usize, call: impl FnOnce(&[u8]) -> Outcome) -> u32 {
    let input = if ptr.is_null() {
        Box::default()
    } else {
        // SAFETY: as promised by the caller.
        unsafe { take(ptr, len) }
    };
    let (status, json) = match call(&input) {
        Ok(value) => (0, value),
        Err(message) => (1, serde_json::json!({ "error": message })),
    };
    drop(input);
    *output() = serde_json::to_vec(&json).unwrap_or_else(|_| b"{\"error\":\"no output\"}".to_vec());
    status
}

macro_rules! exports {
    ($($name:ident => $call:path),* $(,)?) => {$(
        /// See the function of the same name in `calls`.
        ///
        /// # Safety
        /// `ptr` and `len` must come from one `bb_alloc`; the input is freed by the call.
        #[no_mangle]
        pub unsafe extern "C" fn $name(ptr: *mut u8, len: usize) -> u32 {
            // SAFETY: as promised by the caller.
            unsafe { run(ptr, len, $call) }
        }
    )*};
}

exports! {
    bb_dkg_start => calls::dkg_start,
    bb_dkg_round2 => calls::dkg_round2,
    bb_dkg_round3 => calls::dkg_round3,
    bb_dkg_finish => calls::dkg_finish,
    bb_ballot_encrypt => calls::ballot_encrypt,
    bb_ballot_verify => calls::ballot_verify,
    bb_decryption_share => calls::decryption_share,
    bb_secret_text => calls::secret_text,
    bb_secret_from_text => calls::secret_from_text,
    bb_committee_code => calls::committee_code,
    bb_secret_qr => calls::secret_qr,
    bb_box_join => calls::box_join,
}

/// Verifies and adds up a box (see `calls::box_verify`), reporting progress to JavaScript.
///
/// # Safety
/// `ptr` and `len` must come from one `bb_alloc`; the input is freed by the call.
#[no_mangle]
pub unsafe extern "C" fn bb_box_verify(ptr: *mut u8, len: usize) -> u32 {
    let progress = |done: usize, total: usize| {
        // SAFETY: a plain function of two integers that JavaScript supplies at instantiation.
        unsafe { bb_progress(done as u32, total as u32) }
    };
    // SAFETY: as promised by the caller.
    unsafe { run(ptr, len, |input| calls::box_verify(input, Some(&progress))) }
}

/// Verifies and adds up one stretch of a box (see `calls::box_verify_part`), reporting
/// progress over the stretch to JavaScript.
///
/// # Safety
/// `ptr` and `len` must come from one `bb_alloc`; the input is freed by the call.
#[no_mangle]
pub unsafe extern "C" fn bb_box_verify_part(ptr: *mut u8, len: usize) -> u32 {
    let progress = |done: usize, total: usize| {
        // SAFETY: a plain function of two integers that JavaScript supplies at instantiation.
        unsafe { bb_progress(done as u32, total as u32) }
    };
    // SAFETY: as promised by the caller.
    unsafe {
        run(ptr, len, |input| {
            calls::box_verify_part(input, Some(&progress))
        })
    }
}
