"""The back office (/admin) and the business cabinet (/cabinet), built with Flask-Admin inside
`init_admin(app)`; they arrive with the back-office issue."""
