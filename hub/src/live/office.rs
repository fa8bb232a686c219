//! The office's directory at run time: one writer at a time decides office commands with
//! the pure [`Directory`], makes them durable with [`Store::write_office`], then folds
//! them. It also does what a device needs beyond the log: enrolment codes, PINs (checked
//! off the async workers, five wrong in a row lock the device) and revocation, which
//! deletes the token and tells every open connection of that device to close at once.

use super::{Clock, Refused};
use crate::engine::directory::{Directory, OfficeCommand};
use crate::engine::EngineError;
use crate::pins;
use crate::store::{DeviceSecret, Enrolment, OfficeChanges, Principal, Store, StoreError};
use crate::tokens::Token;
use protocol::directory::{DeviceId, PersonId};
use protocol::{ErrorCode, OfficeEvent, Timestamp};
use std::sync::RwLock;
use tokio::sync::{broadcast, Mutex};

/// Wrong PINs in a row that lock a device.
pub const MAX_PIN_FAILURES: u32 = 5;
/// How long an enrolment code printed by the office stays usable.
pub const ENROLMENT_MINUTES: i64 = 24 * 60;

/// Why an office request was not done; nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum OfficeError {
    /// The directory refused command number `index` of the batch.
    #[error("{error}")]
    Refused { index: usize, error: EngineError },
    /// A device, enrolment or PIN rule refused it.
    #[error("{0}")]
    Denied(Refused),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<OfficeError> for Refused {
    fn from(e: OfficeError) -> Refused {
        match e {
            OfficeError::Refused { error, .. } => Refused::new(error.code(), error.to_string()),
            OfficeError::Denied(refused) => refused,
            OfficeError::Store(e) => {
                tracing::error!(error = %e, "the office's store failed");
                Refused::new(
                    ErrorCode::Internal,
                    "the hub failed to do this; it has been logged",
                )
            }
        }
    }
}

fn denied(code: ErrorCode, message: impl Into<String>) -> OfficeError {
    OfficeError::Denied(Refused::new(code, message))
}

/// The office's directory, shared by every handler.
#[derive(Debug)]
pub struct Office {
    store: Store,
    clock: Clock,
    /// One office batch at a time, from deciding to folding.
    writer: Mutex<()>,
    state: RwLock<Directory>,
    revoked: broadcast::Sender<DeviceId>,
}

impl Office {
    /// Replays the office's log (its chain checked) into the directory.
    pub fn load(store: Store, clock: Clock) -> Result<Office, StoreError> {
        let mut state = Directory::default();
        for event in store.office_log()? {
            state.apply(&event);
        }
        Ok(Office {
            store,
            clock,
            writer: Mutex::new(()),
            state: RwLock::new(state),
            revoked: broadcast::channel(64).0,
        })
    }

    /// Reads the directory as of the last batch.
    pub fn read<R>(&self, f: impl FnOnce(&Directory) -> R) -> R {
        f(&self.state.read().unwrap_or_else(|e| e.into_inner()))
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Decides and records `commands`, all or none.
    pub async fn run(&self, commands: Vec<OfficeCommand>) -> Result<Vec<OfficeEvent>, OfficeError> {
        let _writing = self.writer.lock().await;
        self.commit(&commands, OfficeChanges::default()).await
    }

    /// Decides `commands` and writes their events with `extra` in one transaction; the
    /// caller holds the writer's lock.
    async fn commit(
        &self,
        commands: &[OfficeCommand],
        mut extra: OfficeChanges,
    ) -> Result<Vec<OfficeEvent>, OfficeError> {
        let now = self.clock.now();
        let events = self
            .read(|d| d.decide_all(commands, now))
            .map_err(|(index, error)| OfficeError::Refused { index, error })?;
        extra.events = events.clone();
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || store.write_office(&extra))
            .await
            .map_err(|e| StoreError::Io(std::io::Error::other(e)))??;
        let mut state = self.state.write().unwrap_or_else(|e| e.into_inner());
        for event in &events {
            state.apply(event);
        }
        Ok(events)
    }

    /// A fresh one-time enrolment code for `person`, valid for [`ENROLMENT_MINUTES`].
    pub async fn issue_enrolment(
        &self,
        person: PersonId,
    ) -> Result<(Token, Timestamp), OfficeError> {
        let _writing = self.writer.lock().await;
        if self.read(|d| d.person(person).is_none()) {
            return Err(denied(
                ErrorCode::NotFound,
                "no such person in the directory",
            ));
        }
        let code = Token::generate();
        let expires_at = Timestamp(self.clock.now().0 + ENROLMENT_MINUTES * 60_000);
        let changes = OfficeChanges {
            enrolments: vec![(code.hash(), Some(Enrolment { person, expires_at }))],
            ..OfficeChanges::default()
        };
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || store.write_office(&changes))
            .await
            .map_err(|e| StoreError::Io(std::io::Error::other(e)))??;
        Ok((code, expires_at))
    }

    /// Enrols a tablet with a one-time `code` and the person's new `pin`: the code is spent
    /// and the device's token (shown once, kept hashed) returned with its ids.
    pub async fn enrol(
        &self,
        code: &str,
        pin: &str,
    ) -> Result<(Token, DeviceId, PersonId), OfficeError> {
        let bad_code = || {
            denied(
                ErrorCode::BadToken,
                "this enrolment code is not valid (used, expired or unknown); ask the office for a new one",
            )
        };
        let code = Token::parse(code).ok_or_else(bad_code)?;
        pins::check_shape(pin).map_err(|m| denied(ErrorCode::Invalid, m))?;
        let pin = pin.to_owned();
        let pin_hash = tokio::task::spawn_blocking(move || pins::hash(&pin))
            .await
            .map_err(|e| StoreError::Io(std::io::Error::other(e)))?;
        let _writing = self.writer.lock().await;
        // Looked up under the lock: two tablets racing with one code get one device.
        let enrolment = self.store.enrolment(&code.hash())?.ok_or_else(bad_code)?;
        if enrolment.expires_at < self.clock.now() {
            return Err(bad_code());
        }
        let (person, device, token) = (enrolment.person, DeviceId::new_random(), Token::generate());
        let changes = OfficeChanges {
            devices: vec![(
                device,
                Some(DeviceSecret {
                    person,
                    token_hash: hex::encode(token.hash().0),
                    pin: pin_hash,
                    failures: 0,
                }),
            )],
            enrolments: vec![(code.hash(), None)],
            grants: vec![(token.hash(), Principal::Device { person, device })],
            ..OfficeChanges::default()
        };
        self.commit(&[OfficeCommand::EnrolDevice { device, person }], changes)
            .await?;
        Ok((token, device, person))
    }

    /// Checks the PIN a device sent with a command that needs one. A wrong PIN counts; the
    /// fifth in a row locks the device until [`Office::unlock`].
    pub async fn check_pin(&self, device: DeviceId, pin: Option<&str>) -> Result<(), OfficeError> {
        let Some(pin) = pin else {
            return Err(denied(
                ErrorCode::PinRequired,
                "enter your PIN to do this (Nhập mã PIN)",
            ));
        };
        let locked = || {
            denied(
                ErrorCode::DeviceLocked,
                "this device is locked after 5 wrong PINs; ask the office to unlock it",
            )
        };
        if self.read(|d| d.device(device).map(|d| d.locked)) != Some(false) {
            return Err(locked());
        }
        let secret = self
            .store
            .device_secret(device)?
            .ok_or_else(|| denied(ErrorCode::BadToken, "this device is no longer enrolled"))?;
        let right = pins::check_shape(pin).is_ok() && {
            let (stored, pin) = (secret.pin.clone(), pin.to_owned());
            tokio::task::spawn_blocking(move || pins::verify(&stored, &pin))
                .await
                .map_err(|e| StoreError::Io(std::io::Error::other(e)))?
        };
        let _writing = self.writer.lock().await;
        // Read again under the lock: another wrong PIN may have locked it meanwhile.
        if self.read(|d| d.device(device).map(|d| d.locked)) != Some(false) {
            return Err(locked());
        }
        let Some(mut secret) = self.store.device_secret(device)? else {
            return Err(denied(
                ErrorCode::BadToken,
                "this device is no longer enrolled",
            ));
        };
        if right {
            if secret.failures > 0 {
                secret.failures = 0;
                self.commit(&[], with_secret(device, secret)).await?;
            }
            return Ok(());
        }
        secret.failures += 1;
        let failures = secret.failures;
        if failures >= MAX_PIN_FAILURES {
            self.commit(
                &[OfficeCommand::LockDevice { device }],
                with_secret(device, secret),
            )
            .await?;
            tracing::warn!(%device, "a device is locked after {MAX_PIN_FAILURES} wrong PINs");
            return Err(locked());
        }
        self.commit(&[], with_secret(device, secret)).await?;
        Err(denied(
            ErrorCode::PinWrong,
            format!(
                "wrong PIN (Sai mã PIN); {} tries left before this device is locked",
                MAX_PIN_FAILURES - failures
            ),
        ))
    }

    /// Unlocks a device locked by wrong PINs; its count starts again.
    pub async fn unlock(&self, device: DeviceId) -> Result<(), OfficeError> {
        let _writing = self.writer.lock().await;
        let mut secret = self
            .store
            .device_secret(device)?
            .ok_or_else(|| denied(ErrorCode::NotFound, "no such device is enrolled"))?;
        secret.failures = 0;
        self.commit(
            &[OfficeCommand::UnlockDevice { device }],
            with_secret(device, secret),
        )
        .await?;
        Ok(())
    }

    /// Revokes a device: its token is deleted with the event, then every open connection of
    /// the device is told to close.
    pub async fn revoke(&self, device: DeviceId) -> Result<(), OfficeError> {
        {
            let _writing = self.writer.lock().await;
            let secret = self.store.device_secret(device)?;
            let revoke = secret
                .and_then(|s| hex::decode(s.token_hash).ok())
                .and_then(|h| <[u8; 32]>::try_from(h).ok())
                .map(crate::tokens::TokenHash)
                .into_iter()
                .collect();
            let changes = OfficeChanges {
                devices: vec![(device, None)],
                revoke,
                ..OfficeChanges::default()
            };
            self.commit(&[OfficeCommand::RevokeDevice { device }], changes)
                .await?;
        }
        // Nobody listening is fine: no connection of that device is open.
        let _ = self.revoked.send(device);
        Ok(())
    }

    /// Devices revoked from now on, for a connection to watch for its own.
    pub fn revocations(&self) -> broadcast::Receiver<DeviceId> {
        self.revoked.subscribe()
    }
}

fn with_secret(device: DeviceId, secret: DeviceSecret) -> OfficeChanges {
    OfficeChanges {
        devices: vec![(device, Some(secret))],
        ..OfficeChanges::default()
    }
}
