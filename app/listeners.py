"""The messaging listeners of the app, registered on its dispatcher by the factory."""

from app.conversations.recording import ConversationListener


def all_listeners():
    return [ConversationListener()]
