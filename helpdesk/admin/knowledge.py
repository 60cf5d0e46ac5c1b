"""Admin: knowledge. Saving goes through the services, so articles are sanitised and shortcuts
normalised whichever way they are written."""

from django.contrib import admin
from django.utils.html import format_html_join

from helpdesk.models import Article, CannedResponse
from helpdesk.services.knowledge import (
    PLACEHOLDERS,
    article_html,
    save_article,
    save_canned_response,
)


@admin.register(CannedResponse)
class CannedResponseAdmin(admin.ModelAdmin):
    list_display = ("title", "shortcut", "channel", "is_active", "updated_at")
    list_filter = ("channel", "is_active")
    search_fields = ("title", "shortcut", "body")
    fields = ("title", "shortcut", "channel", "body", "placeholders", "is_active")
    readonly_fields = ("placeholders", "created_by", "updated_at")

    @admin.display(description="placeholders you can use")
    def placeholders(self, obj):
        return format_html_join(
            "", "<div><code>{{{}}}</code>: {}</div>", sorted(PLACEHOLDERS.items())
        )

    def save_model(self, request, obj, form, change):
        save_canned_response(
            response=obj,
            title=obj.title,
            shortcut=obj.shortcut,
            body=obj.body,
            channel=obj.channel,
            is_active=obj.is_active,
            created_by=request.user,
        )


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "tags", "is_published", "updated_at")
    list_filter = ("is_published",)
    search_fields = ("title", "body", "tags")
    prepopulated_fields = {"slug": ("title",)}
    fields = ("title", "slug", "tags", "is_published", "body", "preview", "updated_at")
    readonly_fields = ("preview", "updated_at")

    @admin.display(description="preview (sanitised)")
    def preview(self, obj):
        return article_html(obj) if obj.pk else "-"

    def save_model(self, request, obj, form, change):
        save_article(
            article=obj,
            title=obj.title,
            body=obj.body,
            tags=obj.tags,
            slug=obj.slug,
            is_published=obj.is_published,
        )
