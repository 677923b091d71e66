//! Collateral moving in and out of the venue (admin): deposits and withdrawals. A real venue
//! connects these to its bank or chain; here an administrator records them.

use super::portfolio::{balance_of, BalanceView};
use super::{engine_command, parse_id, ApiResult, Routes, Shared};
use crate::extract::AdminCall;
use augury_core::{AccountId, Command, Micros};
use axum::extract::{Path, State};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::routes;

pub(super) fn routes() -> Routes {
    Routes::new().routes(routes!(deposit)).routes(routes!(withdraw))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct Amount {
    /// Micro-dollars, at least 1.
    #[schema(minimum = 1)]
    amount_micros: Micros,
}

/// Credits collateral to an account (admin).
#[utoipa::path(post, path = "/v1/accounts/{account}/deposit", tag = "accounts", request_body = Amount,
    params(("account" = u64, Path, description = "Account id")),
    security(("signed" = [])),
    responses((status = 200, body = BalanceView)))]
async fn deposit(State(state): Shared, Path(account): Path<String>, call: AdminCall) -> ApiResult<BalanceView> {
    let account: AccountId = parse_id(&account, "account id")?;
    let Amount { amount_micros } = call.json()?;
    engine_command(&state, Command::Deposit { account, amount_micros }).await?;
    balance_of(&state, account).await
}

/// Debits available collateral from an account (admin).
#[utoipa::path(post, path = "/v1/accounts/{account}/withdraw", tag = "accounts", request_body = Amount,
    params(("account" = u64, Path, description = "Account id")),
    security(("signed" = [])),
    responses((status = 200, body = BalanceView)))]
async fn withdraw(State(state): Shared, Path(account): Path<String>, call: AdminCall) -> ApiResult<BalanceView> {
    let account: AccountId = parse_id(&account, "account id")?;
    let Amount { amount_micros } = call.json()?;
    engine_command(&state, Command::Withdraw { account, amount_micros }).await?;
    balance_of(&state, account).await
}
