"""mongoengine documents, one module per collection family."""

from app.models.audit import AuditEntry
from app.models.business import Business, Location
from app.models.business_settings import BusinessSettings, ChannelSettings, WidgetSettings
from app.models.category import Category
from app.models.channel import ChannelComment, ChannelPost, ChannelReaction
from app.models.conversation import Conversation, CustomerBlock, SenderKind
from app.models.guest import Guest
from app.models.handled_event import HandledEvent
from app.models.member import MEMBER_ROLES, PERMISSIONS, BusinessMember, MemberRole, Permissions
from app.models.messaging import (
    ChatDialog,
    ChatMember,
    ChatMessage,
    ChatMessageReaction,
    ChatMessageStatus,
    ChatUser,
)
from app.models.push_token import PushPreferences, PushToken
from app.models.qr_scan import QrScanDay
from app.models.quick_reply import QuickReply
from app.models.report import REPORT_REASONS, REPORT_TARGETS, Report
from app.models.slug_claim import SlugClaim
from app.models.sms import SmsCode, SmsMessage
from app.models.subscription import Subscription
from app.models.token import RefreshToken, RevokedToken
from app.models.user import PLATFORM_ROLES, User
from app.models.web_session import WebSession

# Every collection, for migrations that create indexes.
ALL_DOCUMENTS = (
    User, Business, Category, BusinessMember, MemberRole, SmsCode, SmsMessage,
    BusinessSettings, PushToken, Subscription, RefreshToken, RevokedToken, SlugClaim, QrScanDay,
    AuditEntry, Report, WebSession,
    ChatUser, ChatDialog, ChatMember, ChatMessage, ChatMessageStatus, ChatMessageReaction,
    HandledEvent,
    Conversation, CustomerBlock, Guest,
    QuickReply,
    ChannelPost, ChannelReaction, ChannelComment,
)

__all__ = [
    "ALL_DOCUMENTS", "AuditEntry", "Business", "BusinessMember", "BusinessSettings", "Category",
    "Guest",
    "HandledEvent",
    "ChannelComment", "ChannelPost", "ChannelReaction",
    "ChannelSettings", "ChatUser", "Conversation", "CustomerBlock", "ChatDialog", "ChatMember",
    "ChatMessage", "ChatMessageReaction",
    "ChatMessageStatus", "Location", "MEMBER_ROLES", "MemberRole", "PERMISSIONS", "PLATFORM_ROLES",
    "Permissions", "PushPreferences", "PushToken", "QrScanDay", "REPORT_REASONS", "REPORT_TARGETS",
    "QuickReply",
    "RefreshToken", "Report", "RevokedToken", "SenderKind", "SlugClaim", "SmsCode", "SmsMessage",
    "Subscription",
    "User", "WebSession", "WidgetSettings",
]
