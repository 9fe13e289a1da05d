"""The messaging listeners of the app, registered on its dispatcher by the factory."""

from app.services.conversation_events import ConversationListener


def all_listeners():
    return [ConversationListener()]
