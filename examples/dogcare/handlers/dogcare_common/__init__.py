"""Code shared by the four Dog Care Lambda functions.

Every function is deployed from the ``handlers/`` directory as its asset root, so this package is
importable from each handler (``dog_management.app.handler`` etc.) without copies. The claim,
group and CORS helpers come from ``petplatform_runtime``, the runtime layer of ServerlessApi.
"""
