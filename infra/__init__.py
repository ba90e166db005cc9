"""What deploys the app: the resources Chalice does not create, and the IAM policies."""
