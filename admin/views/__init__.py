"""The back office's views, in menu order."""


def back_office_views():
    from admin.views.people import UserView
    return [UserView()]
