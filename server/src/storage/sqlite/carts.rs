//! Table carts on SQLite: every change runs on the writer thread, which is
//! the only writer, so reading the document and writing it back need no
//! lock; a round's order is inserted in the same savepoint as its cut.

use rusqlite::{Connection, OptionalExtension, params};
use time::OffsetDateTime;
use tokio::sync::oneshot;
use wendan_tablecart::{Mutation, SendRequest, TableCart};

use super::SqliteStore;
use super::rows;
use super::writer::{CartDone, CartWork, Job, insert_order};
use crate::storage::carts::{
    CartWrite, PressStep, RoundPricer, apply_all, encode_cart, finish, press, read_cart,
};
use crate::storage::{CartStore, Created, StorageError};

/// The visit's cart, `None` if the visit is closed; `NotFound` if there is
/// no such visit.
fn open_cart(
    connection: &Connection,
    visit_id: &str,
    line_ttl_secs: u32,
) -> Result<Option<TableCart>, StorageError> {
    let row: Option<(Option<String>, Option<String>)> = connection
        .prepare_cached("SELECT cart, closed_at FROM table_visits WHERE id = ?1")?
        .query_row([visit_id], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    match row {
        None => Err(StorageError::NotFound(visit_id.to_owned())),
        Some((_, Some(_closed))) => Ok(None),
        Some((stored, None)) => read_cart(stored.as_deref(), line_ttl_secs).map(Some),
    }
}

fn store_cart(
    connection: &Connection,
    visit_id: &str,
    cart: &TableCart,
) -> Result<(), StorageError> {
    connection
        .prepare_cached("UPDATE table_visits SET cart = ?2 WHERE id = ?1")?
        .execute(params![visit_id, encode_cart(cart)?])?;
    Ok(())
}

impl SqliteStore {
    async fn change_table_cart(
        &self,
        visit_id: &str,
        work: Box<CartWork>,
    ) -> Result<CartWrite, StorageError> {
        let (reply, answer) = oneshot::channel();
        self.submit(Job::Cart { work, reply })?;
        let done = answer.await.map_err(|_| StorageError::WriterGone)??;
        if let Some(event) = done.event {
            self.events.publish(event);
        }
        if done.changed {
            self.events.cart_changed(visit_id);
        }
        Ok(done.write)
    }
}

impl CartStore for SqliteStore {
    async fn table_cart(
        &self,
        visit_id: &str,
        line_ttl_secs: u32,
    ) -> Result<Option<TableCart>, StorageError> {
        let visit_id = visit_id.to_owned();
        self.read(move |connection| {
            let stored: Option<Option<String>> = connection
                .prepare_cached("SELECT cart FROM table_visits WHERE id = ?1")?
                .query_row([&visit_id], |row| row.get(0))
                .optional()?;
            stored
                .map(|stored| read_cart(stored.as_deref(), line_ttl_secs))
                .transpose()
        })
        .await
    }

    async fn change_cart(
        &self,
        visit_id: &str,
        mutations: Vec<Mutation>,
        line_ttl_secs: u32,
        now: OffsetDateTime,
    ) -> Result<CartWrite, StorageError> {
        let id = visit_id.to_owned();
        let work: Box<CartWork> = Box::new(move |connection, _numbers| {
            let Some(mut cart) = open_cart(connection, &id, line_ttl_secs)? else {
                return Ok(CartDone {
                    write: CartWrite::VisitEnded,
                    event: None,
                    changed: false,
                });
            };
            let before = cart.version();
            apply_all(&mut cart, &mutations, now);
            let changed = cart.version() != before;
            if changed {
                store_cart(connection, &id, &cart)?;
            }
            Ok(CartDone {
                write: CartWrite::Changed(cart),
                event: None,
                changed,
            })
        });
        self.change_table_cart(visit_id, work).await
    }

    async fn send_round(
        &self,
        visit_id: &str,
        request: SendRequest,
        line_ttl_secs: u32,
        now: OffsetDateTime,
        price: RoundPricer,
    ) -> Result<CartWrite, StorageError> {
        let id = visit_id.to_owned();
        let work: Box<CartWork> = Box::new(move |connection, numbers| {
            let Some(mut cart) = open_cart(connection, &id, line_ttl_secs)? else {
                return Ok(CartDone {
                    write: CartWrite::VisitEnded,
                    event: None,
                    changed: false,
                });
            };
            let before = cart.version();
            let done = match press(&mut cart, &request, now, price) {
                PressStep::Refused(problem) => {
                    // Nothing stored: the cut (and any sweep) stays in memory.
                    return Ok(CartDone {
                        write: CartWrite::Refused(problem),
                        event: None,
                        changed: false,
                    });
                }
                PressStep::Insert { round, order } => {
                    let inserted = insert_order(connection, *order, numbers)?;
                    let answer = match inserted.created {
                        Created::New(answer) | Created::Existing(answer) => answer,
                    };
                    let placed = rows::order(connection, &answer.order_id)?.ok_or_else(|| {
                        StorageError::corrupt(format!("round {round}'s order vanished"))
                    })?;
                    CartDone {
                        write: finish(&mut cart, round, placed)?,
                        event: inserted.event,
                        changed: false,
                    }
                }
                PressStep::Answer { outcome, order_id } => {
                    let order = match order_id {
                        Some(id) => rows::order(connection, &id)?,
                        None => None,
                    };
                    CartDone {
                        write: CartWrite::Round {
                            outcome,
                            order,
                            cart: cart.clone(),
                        },
                        event: None,
                        changed: false,
                    }
                }
                PressStep::Nothing(outcome) => CartDone {
                    write: CartWrite::Round {
                        outcome,
                        order: None,
                        cart: cart.clone(),
                    },
                    event: None,
                    changed: false,
                },
            };
            let changed = cart.version() != before;
            if changed {
                store_cart(connection, &id, &cart)?;
            }
            Ok(CartDone { changed, ..done })
        });
        self.change_table_cart(visit_id, work).await
    }
}
