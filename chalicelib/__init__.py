"""RDV Solidarités, serverless: everything the Lambda functions need besides app.py."""
