"""Every kind of aggregate, by the name its ids are made from."""

from .actions import Action
from .base import Aggregate
from .comments import Comment
from .proposals import Proposal
from .directory import Organisation, Person, Store, User
from .documents import Document
from .mail import Mail, Notifier
from .meetings import Meeting
from .minutes import Minutes
from .publication import Publication
from .tables import Table

AGGREGATES: dict[str, type[Aggregate]] = {
    cls.KIND: cls
    for cls in (Store, Organisation, Person, User, Table, Meeting, Document, Minutes, Action,
                Publication, Mail, Notifier, Comment, Proposal)
}
