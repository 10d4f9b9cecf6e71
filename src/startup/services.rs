//! The account services and the request state built from the settings.

use std::sync::Arc;

use crate::admin::{AuditLog, OverviewService, SchemaControl};
use crate::api::{AppState, DocumentCache, QueryGate, RateLimit, TrustedProxies};
use crate::auth::{
    AuthService, EmailService, EmailSettings, HashingSettings, OAuthService, SmsService,
    SmsSettings, Window,
};
use crate::config::{ConfigError, FileStorageKind, PasswordResetUnknown, Settings, SmsSenderKind};
use crate::domain::FileLinks;
use crate::files::{FileSettings, FilesService, ObjectSettings, StorageSettings};
use crate::notify::{DevOutbox, Outbox, SmsInbox, SmsSender, Templates};
use crate::records::Records;
use crate::store::Store;

use super::StartupError;

/// Sign-in and the account flows: passwords and sessions, mail, SMS and
/// third-party providers.
pub(super) struct Services {
    auth: AuthService,
    email: EmailService,
    sms: SmsService,
    oauth: OAuthService,
    /// The memory SMS sender's messages, for tests.
    pub(super) sms_inbox: Option<SmsInbox>,
}

impl Services {
    /// Builds the account services on `store`, mailing through `outbox`.
    pub(super) fn start(
        settings: &Settings,
        store: &Store,
        schema: &SchemaControl,
        templates: &Arc<Templates>,
        outbox: Outbox,
        dev_outbox: DevOutbox,
    ) -> Result<Self, StartupError> {
        let live = schema.live().clone();
        let auth = AuthService::new(
            store.clone(),
            settings.token_ttl,
            &settings.admin_token,
            HashingSettings {
                threads: settings.hash_threads,
                queue: settings.hash_queue,
            },
        )?
        .with_lockout(Window {
            hits: settings.login_lockout_failures,
            seconds: i64::try_from(settings.login_lockout_seconds).unwrap_or(900),
        });
        let email = EmailService::new(
            store.clone(),
            templates.clone(),
            outbox,
            auth.hasher(),
            email_settings(settings),
            live.clone(),
            auth.session_cache(),
        )?;
        let sms_sender = if settings.sms_webhook_url.trim().is_empty() {
            match settings.sms_sender {
                SmsSenderKind::Log => SmsSender::Log(dev_outbox),
                SmsSenderKind::Memory => SmsSender::Memory(SmsInbox::default()),
            }
        } else {
            SmsSender::webhook(
                &settings.sms_webhook_url,
                &settings.sms_webhook_body,
                &settings.sms_webhook_authorization,
            )?
        };
        let sms_inbox = sms_sender.inbox();
        let sms = SmsService::new(
            auth.clone(),
            Arc::new(sms_sender),
            templates.clone(),
            sms_settings(settings),
        )?;
        let oauth = OAuthService::new(
            auth.clone(),
            settings.oauth_providers.clone(),
            &settings.public_url,
            settings.oauth_callback_prefix_list(),
            live,
        )?;
        Ok(Services {
            auth,
            email,
            sms,
            oauth,
            sms_inbox,
        })
    }
}

/// What every request handler reads: the services, the engine, the limits
/// per client address and the switches of the account flows.
pub(super) fn app_state(
    settings: &Settings,
    services: Services,
    store: &Store,
    records: &Records,
    schema: &SchemaControl,
    templates: Arc<Templates>,
    files: FilesService,
) -> Result<AppState, StartupError> {
    let proxies = TrustedProxies::parse(&settings.trusted_proxies).map_err(|reason| {
        ConfigError::Invalid {
            key: "PROTIUM_TRUSTED_PROXIES",
            reason,
        }
    })?;
    let limits = services.auth.limits().clone();
    let per_address = |name: &'static str, hits: u32, seconds: i64| {
        RateLimit::new(
            name,
            Window { hits, seconds },
            limits.clone(),
            proxies.clone(),
        )
    };
    let public_path = reqwest::Url::parse(&settings.public_url)
        .map(|u| u.path().trim_end_matches('/').to_owned())
        .unwrap_or_default();
    Ok(AppState {
        public_path,
        sms_ip_limit: per_address("sms-address", settings.sms_per_ip_per_hour, 3600),
        auth_limit: per_address("auth-address", settings.auth_rate_per_minute, 60),
        lookup_limit: per_address("lookup-address", settings.lookups_per_minute, 60),
        query_gate: QueryGate::new(settings.queries_per_caller, proxies.clone()),
        oauth: services.oauth,
        sms: services.sms,
        phone_region: settings.phone_region(),
        auth: services.auth,
        records: records.clone(),
        schema: schema.clone(),
        audit: AuditLog::new(store.clone()),
        overview: OverviewService::new(store.clone()),
        openapi: DocumentCache::default(),
        availability_check: settings.availability_check,
        find_by_contact: settings.find_by_contact,
        reauth_account_changes: settings.reauth_account_changes,
        reauth_needs_code: settings.reauth_needs_code,
        email_change_needs_code: settings.email_change_needs_code,
        phone_change_needs_code: settings
            .phone_change_needs_code
            .unwrap_or(settings.reauth_account_changes),
        proxies,
        email: services.email,
        password_policy: settings.password_policy(),
        templates,
        app_name: settings.app_name.clone(),
        files,
    })
}

/// Uploaded files: their bytes under `<data_dir>/files` or in the object
/// store, uploads spooled under `<data_dir>/files/.incoming`.
pub(super) fn files(settings: &Settings, store: &Store) -> Result<FilesService, StartupError> {
    let root = settings.data_dir.join("files");
    let storage = match settings.file_storage {
        FileStorageKind::Local => StorageSettings::Local(root.clone()),
        FileStorageKind::S3 => StorageSettings::Objects(ObjectSettings {
            endpoint: settings.s3_endpoint.trim().to_owned(),
            bucket: settings.s3_bucket.trim().to_owned(),
            region: settings.s3_region.trim().to_owned(),
            access_key_id: settings.s3_access_key_id.trim().to_owned(),
            secret_access_key: settings.s3_secret_access_key.trim().to_owned(),
            prefix: settings.s3_prefix.trim().to_owned(),
        }),
    };
    let files = FilesService::new(
        store.clone(),
        &storage,
        root.join(".incoming"),
        FileSettings {
            links: FileLinks::new(&settings.public_url),
            max_bytes: settings.file_max_bytes,
            upload_ttl: secs(settings.upload_ttl),
            detached_ttl: secs(settings.detached_file_ttl),
            quota_user: i64::try_from(settings.file_quota_user_bytes).unwrap_or(i64::MAX),
            quota_app: i64::try_from(settings.file_quota_app_bytes).unwrap_or(i64::MAX),
        },
    )?;
    // Local files are on one disk: a node with another disk is refused.
    files.claim_disk()?;
    Ok(files)
}

fn email_settings(settings: &Settings) -> EmailSettings {
    EmailSettings {
        public_url: settings.public_url.trim_end_matches('/').to_owned(),
        app_name: settings.app_name.clone(),
        link_ttl: secs(settings.email_link_ttl),
        reset_ttl: secs(settings.reset_link_ttl),
        code_ttl: secs(settings.email_code_ttl),
        code_attempts: i32::try_from(settings.email_code_attempts).unwrap_or(i32::MAX),
        cooldown: secs(settings.email_resend_cooldown),
        reset_unknown_is_404: settings.password_reset_unknown == PasswordResetUnknown::NotFound,
    }
}

fn sms_settings(settings: &Settings) -> SmsSettings {
    SmsSettings {
        app_name: settings.app_name.clone(),
        code_ttl: secs(settings.sms_code_ttl),
        code_attempts: i32::try_from(settings.sms_code_attempts).unwrap_or(i32::MAX),
        per_minute: i64::from(settings.sms_per_number_per_minute),
        per_day: i64::from(settings.sms_per_number_per_day),
        token_ttl: secs(settings.phone_token_ttl),
    }
}

/// Seconds from settings as the `i64` used for unix-time arithmetic (settings
/// are capped at a year, so this never saturates in practice).
fn secs(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}
