"""`manage.py seed_demo --teachers N --seed S [--reset | --if-empty]`: build the demo region."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from apps.demo import seed as demo
from apps.organizations.models import Organization


class Command(BaseCommand):
    """Thin: parse the options, call apps.demo.seed, print what was built and how to sign in."""

    @property
    def help(self):
        # A property: argparse needs a plain string, translated when the parser is built.
        return _(
            "Build a demo region: schools, colleges and other organisations in every "
            "district, teachers with valid IINs and categories, and one login for every role."
        )

    def add_arguments(self, parser):
        parser.add_argument(
            "--teachers",
            type=int,
            default=demo.FULL_SCALE_TEACHERS,
            help=_("How many teachers (default: the region's 67,000)."),
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=1,
            help=_("Random seed: the same seed on the same day gives the same data."),
        )
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument(
            "--reset",
            action="store_true",
            help=_(
                "Delete ALL teachers (with their history), ALL organisations and the demo "
                "accounts first."
            ),
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help=_("Allow --reset when DEBUG is off (benchmark databases only)."),
        )
        mode.add_argument(
            "--if-empty",
            action="store_true",
            help=_("Do nothing if the database already has data (for `make run`)."),
        )

    def handle(self, *args, teachers, seed, reset, if_empty, force, verbosity, **options):
        if reset and not (settings.DEBUG or force):
            raise CommandError(
                _("--reset wipes the whole registry: it runs only with DEBUG=1, or with --force.")
            )
        if teachers < 1:
            raise CommandError(_("The number of teachers must be at least 1."))
        if if_empty and demo.demo_data_exists():
            if verbosity:
                self.stdout.write(_("The database already has data: no demo data added."))
            return
        start = time.perf_counter()
        try:
            summary = demo.demo_seed(teachers=teachers, seed=seed, reset=reset)
        except demo.DemoDataError as exc:
            raise CommandError(str(exc)) from exc
        seconds = time.perf_counter() - start
        if verbosity:
            self._report(summary, seconds)

    def _report(self, summary, seconds: float) -> None:
        """Counts, time taken, and a table of the demo logins with the password."""
        kinds = ", ".join(
            f"{Organization.Kind(kind).label} {count}"
            for kind, count in summary.organizations.items()
        )
        self.stdout.write(
            _("Organisations: %(total)d (%(kinds)s).")
            % {"total": sum(summary.organizations.values()), "kinds": kinds}
        )
        self.stdout.write(_("Teachers: %(count)d.") % {"count": summary.teachers})
        self.stdout.write(_("Done in %(seconds).1f s.") % {"seconds": seconds})
        self.stdout.write("")
        self.stdout.write(
            _("Demo logins (password: %(password)s):") % {"password": summary.password}
        )
        rows = [(_("E-mail"), _("Role"), _("Scope"))]
        rows += [(a.email, a.role, a.scope) for a in summary.accounts]
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        for row in rows:
            cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            self.stdout.write("  ".join(cells).rstrip())
