from django.conf import settings
from django.db import models
from django.utils import timezone

from .people import Channel


class CannedResponse(models.Model):
    """A prepared reply every channel can use; placeholders such as {customer_name} are filled
    in safely when it is rendered."""

    title = models.CharField(max_length=200)
    shortcut = models.SlugField(max_length=50, unique=True, help_text="Typed as /shortcut.")
    body = models.TextField()
    channel = models.CharField(
        max_length=20, choices=Channel.choices, blank=True, help_text="Empty: every channel."
    )
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return self.title


class Article(models.Model):
    """A knowledge-base article agents link or quote to customers."""

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    body = models.TextField()
    tags = models.CharField(max_length=200, blank=True, help_text="Comma-separated.")
    is_published = models.BooleanField(default=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return self.title
