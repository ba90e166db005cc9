"""Chalice blueprints, one per audience. Handlers parse, call one service, render.

Services (and so PynamoDB and botocore) are imported inside handlers: `import app`
must stay cheap, since every Lambda cold start pays for it."""
