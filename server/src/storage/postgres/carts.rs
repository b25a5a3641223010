//! Table carts on PostgreSQL: the visit's row is locked (`FOR UPDATE`) for
//! the change, so two replicas applying pushes or presses for one table
//! take turns, and a round's order commits with its cut. The NOTIFY is
//! delivered on commit only, to every replica's listener, this one's too.

use deadpool_postgres::GenericClient;
use time::OffsetDateTime;
use wendan_tablecart::{Mutation, SendRequest, TableCart};

use super::listener::CARTS_CHANNEL;
use super::{PostgresStore, insert_numbered};
use crate::storage::carts::{
    CartWrite, PressStep, RoundPricer, apply_all, encode_cart, finish, press, read_cart,
};
use crate::storage::{CartStore, StorageError};

/// The visit's cart with its row locked, `None` if the visit is closed;
/// `NotFound` if there is no such visit.
async fn locked_cart(
    client: &impl GenericClient,
    visit_id: &str,
    line_ttl_secs: u32,
) -> Result<Option<TableCart>, StorageError> {
    let row = client
        .query_opt(
            "SELECT cart, closed_at IS NOT NULL FROM table_visits WHERE id = $1 FOR UPDATE",
            &[&visit_id],
        )
        .await?
        .ok_or_else(|| StorageError::NotFound(visit_id.to_owned()))?;
    let (stored, closed): (Option<String>, bool) = (row.get(0), row.get(1));
    if closed {
        return Ok(None);
    }
    read_cart(stored.as_deref(), line_ttl_secs).map(Some)
}

/// Writes the cart back and tells every replica, on commit.
async fn store_cart(
    client: &impl GenericClient,
    visit_id: &str,
    cart: &TableCart,
) -> Result<(), StorageError> {
    client
        .execute(
            "UPDATE table_visits SET cart = $2 WHERE id = $1",
            &[&visit_id, &encode_cart(cart)?],
        )
        .await?;
    client
        .execute("SELECT pg_notify($1, $2)", &[&CARTS_CHANNEL, &visit_id])
        .await?;
    Ok(())
}

impl CartStore for PostgresStore {
    async fn table_cart(
        &self,
        visit_id: &str,
        line_ttl_secs: u32,
    ) -> Result<Option<TableCart>, StorageError> {
        let client = self.pool.get().await?;
        let row = client
            .query_opt("SELECT cart FROM table_visits WHERE id = $1", &[&visit_id])
            .await?;
        row.map(|row| read_cart(row.get::<_, Option<String>>(0).as_deref(), line_ttl_secs))
            .transpose()
    }

    async fn change_cart(
        &self,
        visit_id: &str,
        mutations: Vec<Mutation>,
        line_ttl_secs: u32,
        now: OffsetDateTime,
    ) -> Result<CartWrite, StorageError> {
        let mut client = self.pool.get().await?;
        let transaction = client.transaction().await?;
        let Some(mut cart) = locked_cart(&transaction, visit_id, line_ttl_secs).await? else {
            return Ok(CartWrite::VisitEnded);
        };
        let before = cart.version();
        apply_all(&mut cart, &mutations, now);
        if cart.version() != before {
            store_cart(&transaction, visit_id, &cart).await?;
        }
        transaction.commit().await?;
        Ok(CartWrite::Changed(cart))
    }

    async fn send_round(
        &self,
        visit_id: &str,
        request: SendRequest,
        line_ttl_secs: u32,
        now: OffsetDateTime,
        price: RoundPricer,
    ) -> Result<CartWrite, StorageError> {
        let mut client = self.pool.get().await?;
        let transaction = client.transaction().await?;
        let Some(mut cart) = locked_cart(&transaction, visit_id, line_ttl_secs).await? else {
            return Ok(CartWrite::VisitEnded);
        };
        let before = cart.version();
        let write = match press(&mut cart, &request, now, price) {
            // Rolled back: nothing cut, nothing swept.
            PressStep::Refused(problem) => return Ok(CartWrite::Refused(problem)),
            PressStep::Insert { round, order } => {
                let mut new = *order;
                if insert_numbered(&transaction, &mut new).await?.is_none() {
                    return Err(StorageError::corrupt(format!(
                        "round {round} of visit {visit_id} found its order's key taken"
                    )));
                }
                finish(&mut cart, round, new.order)?
            }
            PressStep::Answer { outcome, order_id } => {
                let order = match order_id {
                    Some(id) => super::read_order(&transaction, &id).await?,
                    None => None,
                };
                CartWrite::Round {
                    outcome,
                    order,
                    cart: cart.clone(),
                }
            }
            PressStep::Nothing(outcome) => CartWrite::Round {
                outcome,
                order: None,
                cart: cart.clone(),
            },
        };
        if cart.version() != before {
            store_cart(&transaction, visit_id, &cart).await?;
        }
        transaction.commit().await?;
        Ok(write)
    }
}
