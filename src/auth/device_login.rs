//! Device logins: an installation bound to its user, so the same device
//! always signs in the same user.

use super::error::AuthError;
use super::service::{insert_profile, AuthService, ClientInfo, LoginMethod, ProfileInit, Session};
use crate::domain::{now_unix, DeviceId, Platform};
use crate::query::SqlValue;
use crate::store::{self, devices, object_writes, users};

impl AuthService {
    /// Signs a device in: the user bound to `device`, or — with `create_user`
    /// — a new user bound to it now. Such a user has no credentials but is not
    /// anonymous: table rules for signed-up users admit it, and the same
    /// device always gets the same user. Without `create_user` an unknown
    /// device is [`AuthError::Missing`] ("not registered"). Parallel first
    /// logins of one device make one user. `platform_column` (the profile
    /// table and its field declared `device_platform`) gets the platform of
    /// this login. Returns whether the user was created.
    pub async fn device_login(
        &self,
        device: DeviceId,
        platform: Platform,
        create_user: bool,
        client: ClientInfo,
        init: ProfileInit,
        platform_column: Option<(String, String)>,
    ) -> Result<(Session, bool), AuthError> {
        let draft = self.draft_session(LoginMethod::Device, client);
        self.store
            .transaction(move |conn| {
                let hash = device.hash();
                object_writes::lock_key(conn, "devices", &hash)?;
                let now = now_unix();
                let (id, created) = match devices::login(conn, &hash, now)? {
                    Some(id) => {
                        let disabled =
                            users::account(conn, id, false)?.is_some_and(|a| a.disabled != 0);
                        if disabled {
                            return Err(AuthError::Disabled);
                        }
                        (id, false)
                    }
                    None if !create_user => {
                        return Err(AuthError::Missing(
                            "device_id: this device is not registered; sign up first".into(),
                        ))
                    }
                    None => {
                        let id = insert_profile(conn, Vec::new(), false, now, init)?;
                        devices::bind(conn, &hash, id, platform.as_str(), now)?;
                        (id, true)
                    }
                };
                if let Some((table, column)) = &platform_column {
                    let value = SqlValue::Text(platform.as_str().to_owned());
                    object_writes::set_if_distinct(conn, table, &SqlValue::Int(id), column, value)?;
                }
                store::insert_session(conn, &draft.row(id, now))?;
                Ok((draft.session(id), created))
            })
            .await
    }
}
