//! `hookscope providers|verify|sign|hmac`: the provider catalog and signatures from a terminal.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use hookscope_core::hmac_calc::{
    self, Algorithm, HmacReq, KeyEncoding, MessageEncoding, OutputEncoding,
};
use hookscope_core::providers::{self, SignInput, SignatureReport, SignatureStatus};
use hookscope_core::signatures::{self, VerifyOptions};

use super::open_store;
use crate::Result;

#[derive(clap::Args)]
pub struct ProvidersArgs {
    /// The catalog as JSON.
    #[arg(long)]
    json: bool,
}

pub fn list_providers(args: ProvidersArgs) -> Result<ExitCode> {
    let infos: Vec<_> = providers::catalog().iter().map(|p| p.info()).collect();
    if args.json {
        outln!("{}", serde_json::to_string_pretty(&infos)?);
        return Ok(ExitCode::SUCCESS);
    }
    for info in infos {
        outln!("{} ({})", info.id, info.name);
        outln!("  scheme:   {}", info.scheme);
        outln!("  headers:  {}", info.signature_headers.join(", "));
        outln!("  secret:   {}", info.secret_kind);
        if let Some(t) = info.tolerance_secs {
            outln!("  tolerance: {t} s");
        }
        outln!("  retries:  {}", info.retries);
        outln!("  docs:     {}", info.docs_url);
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(clap::Args)]
pub struct VerifyArgs {
    /// The event to verify.
    id: i64,
    /// Verify with this secret instead of the endpoint's (repeatable: any may match).
    #[arg(long = "secret", value_name = "S")]
    secrets: Vec<String>,
    /// Verify as this provider instead of the detected one.
    #[arg(long)]
    provider: Option<String>,
    /// Judge timestamps against now instead of the time the event was received.
    #[arg(long)]
    now: bool,
    /// The report as JSON.
    #[arg(long)]
    json: bool,
}

/// Exit 0 only when the signature is valid, so scripts can branch on it.
pub fn verify(data: &Path, args: VerifyArgs) -> Result<ExitCode> {
    let store = open_store(data)?;
    let options = VerifyOptions {
        secrets: (!args.secrets.is_empty()).then(|| args.secrets.clone()),
        provider: args.provider.clone(),
        now: args
            .now
            .then(|| hookscope_core::store::now_us() / 1_000_000),
    };
    let verified = signatures::verify_event(&store, args.id, &options)?;
    let report = &verified.report;
    if args.json {
        let out = serde_json::json!({ "id": args.id, "provider": verified.provider, "signature": report });
        outln!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        print_report(verified.provider, report)?;
    }
    Ok(if report.status == SignatureStatus::Valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn print_report(provider: &str, r: &SignatureReport) -> Result<()> {
    outln!("{provider}: {} — {}", r.status.as_str(), r.reason);
    if let Some(recipe) = &r.recipe {
        outln!("  signed:   {recipe}");
    }
    if let Some(received) = &r.received {
        outln!("  received: {received}");
    }
    if let Some(expected) = &r.expected {
        outln!("  expected: {expected} (with the first secret)");
    }
    if let Some(age) = r.timestamp_age_secs {
        outln!("  timestamp age: {age} s");
    }
    for d in &r.diagnosis {
        let mark = if d.explains { "explains it" } else { "hint" };
        outln!("  [{mark}] {}: {}", d.code, d.message);
    }
    Ok(())
}

#[derive(clap::Args)]
pub struct SignArgs {
    /// Provider id (see `hookscope providers`).
    #[arg(long)]
    provider: String,
    /// The secret (or private key) to sign with.
    #[arg(long)]
    secret: String,
    /// The body to sign (default: standard input).
    #[arg(long, value_name = "F")]
    body_file: Option<PathBuf>,
    /// Unix seconds to sign with (default: now).
    #[arg(long, value_name = "T")]
    timestamp: Option<i64>,
    /// The URL the request will be sent to, for schemes that sign it.
    #[arg(long, value_name = "U", default_value = "http://localhost:3000/")]
    url: String,
    /// The HTTP method, for schemes that sign it.
    #[arg(long, default_value = "POST")]
    method: String,
}

/// Print the headers the provider would send, one `Name: value` per line.
pub fn sign(args: SignArgs) -> Result<ExitCode> {
    let body = match &args.body_file {
        Some(path) => {
            std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?
        }
        None => {
            let mut buf = Vec::new();
            std::io::stdin().read_to_end(&mut buf)?;
            buf
        }
    };
    let timestamp = args
        .timestamp
        .unwrap_or_else(|| hookscope_core::store::now_us() / 1_000_000);
    let input = SignInput {
        secret: &args.secret,
        body: &body,
        timestamp,
        url: &args.url,
        method: &args.method,
        headers: &[],
    };
    for (name, value) in signatures::sign(&args.provider, &input)? {
        outln!("{name}: {value}");
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(clap::Args)]
pub struct HmacArgs {
    #[arg(long, value_enum, default_value = "sha256")]
    algorithm: AlgorithmArg,
    /// The key.
    #[arg(long)]
    key: String,
    #[arg(long, value_enum, default_value = "utf8")]
    key_encoding: KeyEncodingArg,
    /// The message as text (or as --message-encoding says).
    #[arg(long, conflicts_with = "message_file")]
    message: Option<String>,
    /// Read the message bytes from a file.
    #[arg(long, value_name = "F")]
    message_file: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "text")]
    message_encoding: MessageEncodingArg,
    /// Build the signed string from a template, e.g. '{timestamp}.{body}' ({body} is the message).
    #[arg(long)]
    template: Option<String>,
    /// A template value, NAME=VALUE (repeatable).
    #[arg(long = "set", value_name = "NAME=VALUE")]
    substitutions: Vec<String>,
    /// Output encoding.
    #[arg(long, value_enum, default_value = "hex")]
    encoding: OutputEncodingArg,
    /// Written before the digest (e.g. 'sha256=').
    #[arg(long)]
    prefix: Option<String>,
    /// Compare with this signature (constant time); exit 1 on mismatch.
    #[arg(long, value_name = "SIG")]
    compare: Option<String>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum AlgorithmArg {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum KeyEncodingArg {
    Utf8,
    Hex,
    Base64,
    Whsec,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum MessageEncodingArg {
    Text,
    Hex,
    Base64,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum OutputEncodingArg {
    Hex,
    Base64,
    Base64url,
}

pub fn hmac(args: HmacArgs) -> Result<ExitCode> {
    let message_bytes = match &args.message_file {
        Some(path) => {
            Some(std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?)
        }
        None if args.message.is_none() => {
            return Err("give the message with --message or --message-file".into());
        }
        None => None,
    };
    let substitutions = args
        .substitutions
        .iter()
        .map(|s| {
            s.split_once('=')
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .ok_or_else(|| format!("--set wants NAME=VALUE, got {s:?}"))
        })
        .collect::<std::result::Result<_, _>>()?;
    let req = HmacReq {
        algorithm: match args.algorithm {
            AlgorithmArg::Sha1 => Algorithm::Sha1,
            AlgorithmArg::Sha256 => Algorithm::Sha256,
            AlgorithmArg::Sha384 => Algorithm::Sha384,
            AlgorithmArg::Sha512 => Algorithm::Sha512,
        },
        key: args.key.clone(),
        key_encoding: match args.key_encoding {
            KeyEncodingArg::Utf8 => KeyEncoding::Utf8,
            KeyEncodingArg::Hex => KeyEncoding::Hex,
            KeyEncodingArg::Base64 => KeyEncoding::Base64,
            KeyEncodingArg::Whsec => KeyEncoding::Whsec,
        },
        message: args.message.clone().unwrap_or_default(),
        message_encoding: match args.message_encoding {
            MessageEncodingArg::Text => MessageEncoding::Text,
            MessageEncodingArg::Hex => MessageEncoding::Hex,
            MessageEncodingArg::Base64 => MessageEncoding::Base64,
        },
        message_bytes,
        template: args.template.clone(),
        substitutions,
        output_encoding: match args.encoding {
            OutputEncodingArg::Hex => OutputEncoding::Hex,
            OutputEncodingArg::Base64 => OutputEncoding::Base64,
            OutputEncodingArg::Base64url => OutputEncoding::Base64Url,
        },
        output_prefix: args.prefix.clone(),
        compare_with: args.compare.clone(),
    };
    let res = hmac_calc::hmac_compute(&req)?;
    outln!("{}", res.digest);
    match res.matches {
        Some(true) => {
            eprintln!("match");
            Ok(ExitCode::SUCCESS)
        }
        Some(false) => {
            eprintln!("mismatch");
            Ok(ExitCode::FAILURE)
        }
        None => Ok(ExitCode::SUCCESS),
    }
}
