"""`manage.py mask_stored_text`: mask the sensitive numbers in text stored before masking
covered it (helpdesk.privacy.services.mask_stored_text), per the policy in force."""

from django.core.management.base import BaseCommand, CommandError

from helpdesk.privacy.services import mask_stored_text


class Command(BaseCommand):
    help = "Mask card, SSN, NI and driving licence numbers in text already stored."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500, help="rows read at a time")

    def handle(self, *args, batch_size: int, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        changed = mask_stored_text(batch_size=batch_size)
        total = sum(changed.values())
        details = ", ".join(f"{label} {count}" for label, count in changed.items() if count)
        self.stdout.write(f"Masked {total} stored rows" + (f" ({details})" if details else ""))
