"""Placeholder: to be written."""


def category_expiry_notify():
    raise NotImplementedError
