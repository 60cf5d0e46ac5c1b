"""Privacy: sensitive numbers masked before any channel stores or shows text, and data removed
once the policy's `[retention]` has run out.

- `masking`: the detectors, pure Python (no Django);
- `services`: `mask_text` with the kinds of the policy in force, and the registry of the text
  fields each app stores (masked on every save, whoever saves);
- `retention`: the services that delete or anonymise what the policy no longer keeps;
- `tasks`: the daily beat task that calls them.

This module imports nothing so that the pure detectors load without Django.
"""
