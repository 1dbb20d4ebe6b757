"""Rules every construct shares: errors, validation, physical names, exports, existing resources.

Modules here import ``aws_cdk`` core and ``constructs`` only, never a service module that a
construct does not need, and never a construct.
"""
