"""Compute constructs: Lambda behind API Gateway (``ServerlessApi``)."""
