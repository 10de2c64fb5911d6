#!/bin/bash
# automated-deployment.sh

set -e

VERSION="1.0.0"
API_BASE="https://console.aureus.example.com/api"
AUTH_TOKEN="your-jwt-token"

echo "Starting automated deployment for version ${VERSION}"

# 1. Register version
echo "Registering version..."
VERSION_ID=$(curl -X POST "${API_BASE}/deployments/versions" \
  -H "Authorization: Bearer ${AUTH_TOKEN}" \
  -H "Content-Type: application/json" \
  -d "{
    \"workflowSpec\": $(cat workflow-spec.json),
    \"version\": \"${VERSION}\",
    \"createdBy\": \"ci-cd-bot\"
  }" | jq -r '.id')

echo "Version registered: ${VERSION_ID}"

# 2. Deploy to staging
echo "Deploying to staging..."
STAGING_DEPLOYMENT_ID=$(curl -X POST "${API_BASE}/deployments" \
  -H "Authorization: Bearer ${AUTH_TOKEN}" \
  -H "Content-Type: application/json" \
  -d "{
    \"versionId\": \"${VERSION_ID}\",
    \"environment\": \"staging\",
    \"deployedBy\": \"ci-cd-bot\"
  }" | jq -r '.id')

echo "Staging deployment created: ${STAGING_DEPLOYMENT_ID}"

# 3. Wait for deployment to complete
echo "Waiting for staging deployment..."
while true; do
  STATUS=$(curl -s "${API_BASE}/deployments/${STAGING_DEPLOYMENT_ID}" \
    -H "Authorization: Bearer ${AUTH_TOKEN}" | jq -r '.status')
  
  if [ "$STATUS" == "deployed" ]; then
    echo "Staging deployment successful"
    break
  elif [ "$STATUS" == "failed" ]; then
    echo "Staging deployment failed"
    exit 1
  fi
  
  sleep 10
done

# 4. Run smoke tests
echo "Running smoke tests..."
TEST_RESULTS=$(curl -X POST "${API_BASE}/deployments/${STAGING_DEPLOYMENT_ID}/smoke-tests" \
  -H "Authorization: Bearer ${AUTH_TOKEN}" \
  -H "Content-Type: application/json" \
  -d "{
    \"tests\": [
      {\"name\": \"Basic Workflow\", \"workflowId\": \"my-workflow\"}
    ]
  }" | jq -r '.overallStatus')

if [ "$TEST_RESULTS" != "passed" ]; then
  echo "Smoke tests failed"
  exit 1
fi

echo "Smoke tests passed"

# 5. Promote to production (requires manual approval in this example)
echo "Ready to promote to production"
echo "Run: curl -X POST ${API_BASE}/deployments/${STAGING_DEPLOYMENT_ID}/promote ..."

# Or auto-promote for low-risk changes
# PROD_DEPLOYMENT_ID=$(curl -X POST "${API_BASE}/deployments/${STAGING_DEPLOYMENT_ID}/promote" \
#   -H "Authorization: Bearer ${AUTH_TOKEN}" \
#   -H "Content-Type: application/json" \
#   -d "{\"promotedBy\": \"ci-cd-bot\"}" | jq -r '.id')

echo "Deployment workflow complete"
