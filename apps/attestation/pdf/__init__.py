"""Printed attestation documents (reportlab layout only, fed plain data): the commission's
protocol with the teachers' extracts (protocol.py) and the category certificate
(certificate.py)."""
