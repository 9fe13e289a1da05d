"""Platform statistics for the dashboard, computed by the database (counts and
aggregations), never by loading documents."""

from app.models import Business, Report, Subscription, User


def totals():
    return {
        "users": User._get_collection().estimated_document_count(),
        "businesses": Business._get_collection().count_documents({"deletedAt": None}),
        "subscriptions": Subscription._get_collection().estimated_document_count(),
    }


def dashboard():
    return {
        "totals": totals(),
        "openReports": Report._get_collection().count_documents({"status": "open"}),
    }
