"""The error a service raises when a rule refuses something; the API renders it as JSON."""


class AppError(Exception):
    status = 400

    def __init__(self, code, message, status=None, details=None, headers=None):
        super().__init__(message)
        self.code = code
        self.message = str(message)
        if status is not None:
            self.status = status
        self.details = details or {}
        self.headers = headers or {}


class NotFound(AppError):
    status = 404


class Forbidden(AppError):
    status = 403


class Conflict(AppError):
    status = 409


class RateLimited(AppError):
    status = 429

    def __init__(self, message, retry_after, code="rate_limited"):
        retry_after = max(1, int(retry_after))
        super().__init__(code, message, details={"retryAfter": retry_after},
                         headers={"Retry-After": str(retry_after)})
