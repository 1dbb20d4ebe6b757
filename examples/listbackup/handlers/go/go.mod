module listbackup.ai/handlers

go 1.23
