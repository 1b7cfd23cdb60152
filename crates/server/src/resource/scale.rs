//! A resource's `scale` subresource (autoscaling/v1 Scale): get, replace and patch through
//! the fake's scale verbs.

use axum::response::Response;
use http::StatusCode;
use k8s_openapi::api::autoscaling::v1::Scale;
use kobj_core::{Error, Result};
use kube_core::params::{Patch, PatchParams};

use super::{Ctx, WRITE, content_type, post_params};
use crate::{negotiate, params, respond};

pub(super) async fn get(ctx: &mut Ctx<'_>, name: &str) -> Result<Response> {
    let format = ctx.accept(WRITE)?;
    let scale = ctx.api().get_scale(ctx.rt(), ctx.ns, name).await?;
    Ok(respond::object(StatusCode::OK, format, &scale))
}

pub(super) async fn replace(ctx: &mut Ctx<'_>, name: &str) -> Result<Response> {
    let format = ctx.accept(WRITE)?;
    let opts = params::write_options(&ctx.query, "UpdateOptions", ctx.user_agent(), false)?;
    let body = ctx.body().await?;
    let value = negotiate::decode_object(content_type(ctx).as_deref(), &body, false)?;
    let scale: Scale = serde_json::from_value(value).map_err(|e| {
        Error::bad_request(format!(
            "the body of the request does not decode as a Scale: {e}"
        ))
    })?;
    let updated = ctx
        .api()
        .replace_scale(ctx.rt(), ctx.ns, name, &scale, &post_params(&opts))
        .await?;
    Ok(respond::object(StatusCode::OK, format, &updated))
}

pub(super) async fn patch(ctx: &mut Ctx<'_>, name: &str) -> Result<Response> {
    let format = ctx.accept(WRITE)?;
    let body = ctx.body().await?;
    // The scale subresource is a built-in kind (autoscaling/v1 Scale): all four patch types.
    let patch = negotiate::decode_patch(
        content_type(ctx).as_deref(),
        &body,
        false,
        params::strict_patch_decode(&ctx.query),
    )?;
    let apply = matches!(patch, Patch::Apply(_));
    let opts = params::write_options(&ctx.query, "PatchOptions", ctx.user_agent(), apply)?;
    let pp = PatchParams {
        dry_run: opts.dry_run,
        force: opts.force,
        field_manager: opts.field_manager.clone(),
        field_validation: opts.field_validation.clone(),
    };
    let updated = ctx
        .api()
        .patch_scale(ctx.rt(), ctx.ns, name, &patch, &pp)
        .await?;
    Ok(respond::object(StatusCode::OK, format, &updated))
}
