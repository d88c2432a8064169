"""Enquiries: complaints, questions and requests, and the windows that belong to them."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session, col

from storage.models import CustomerReply, Enquiry, Item

ENQUIRY_ITEM_KINDS = ("enquiry_ack", "enquiry_resolve")


def add(session: Session, enquiry: Enquiry) -> Enquiry:
    """Store a new enquiry and give it its id."""
    session.add(enquiry)
    session.flush()
    return enquiry


def get(session: Session, enquiry_id: int) -> Enquiry | None:
    """The enquiry with this id."""
    return session.get(Enquiry, enquiry_id)


def windows(session: Session, enquiry_id: int) -> dict[str, Item]:
    """The enquiry's windows by kind ("enquiry_ack", "enquiry_resolve")."""
    statement = (
        select(Item)
        .where(col(Item.enquiry_id) == enquiry_id, col(Item.kind).in_(ENQUIRY_ITEM_KINDS))
        .order_by(col(Item.id))
    )
    return {item.kind: item for item in session.scalars(statement)}


def give_ref(session: Session, enquiry: Enquiry) -> Enquiry:
    """Give a stored enquiry its reference to quote (`E-0042`, from its id)."""
    assert enquiry.id is not None
    enquiry.ref = f"E-{enquiry.id:04d}"
    session.add(enquiry)
    session.flush()
    return enquiry


def add_reply(session: Session, reply: CustomerReply) -> CustomerReply:
    """Record what the customer was told."""
    session.add(reply)
    session.flush()
    return reply


def replies(session: Session, enquiry_id: int) -> list[CustomerReply]:
    """What the customer was told about the enquiry, oldest first."""
    statement = (
        select(CustomerReply)
        .where(col(CustomerReply.enquiry_id) == enquiry_id)
        .order_by(col(CustomerReply.at), col(CustomerReply.id))
    )
    return list(session.scalars(statement))
